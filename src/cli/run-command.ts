/**
 * The one place where a command's outcome becomes process state: the database
 * context is opened and always closed, errors become one redacted line and an
 * exit code. Handlers never call process.exit().
 */
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { openContext, type MigrationContext } from '../context';
import { passwordOf, redactor } from '../db/redact';

export interface GlobalOptions {
  url?: string;
  verbose?: boolean;
  quiet?: boolean;
  schema?: string;
  /** False with --no-color. */
  color?: boolean;
}

/** Where a command writes: results to `out` (stdout), notes for people to `err` (stderr). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  outLines: (lines: string[]) => void;
}

export function makeIo(out: (text: string) => void, err: (text: string) => void): Io {
  return { out, err, outLines: (lines) => lines.forEach(out) };
}

export const processIo: Io = makeIo(
  (text) => process.stdout.write(`${text}\n`),
  (text) => process.stderr.write(`${text}\n`),
);

export async function runWithContext<T>(
  global: GlobalOptions,
  io: Io,
  /** Gets the redacting Io too, to report progress while it runs. */
  action: (ctx: MigrationContext, io: Io) => Promise<T>,
  /** Prints through the redacting Io it is given; may return a non-zero exit code (e.g. status --check). */
  print: (result: T, io: Io) => ExitCode | void,
): Promise<void> {
  // Until the context exists, only the flag/environment password is known; redact it too.
  let redact = redactor([passwordOf(global.url), passwordOf(process.env.DATABASE_URL), process.env.PGPASSWORD]);
  const safeIo = makeIo((t) => io.out(redact(t)), (t) => io.err(redact(t)));
  let ctx: MigrationContext | undefined;
  try {
    ctx = await openContext({ url: global.url, schema: global.schema, log: global.quiet ? () => {} : safeIo.err });
    const secrets = ctx.secrets;
    redact = redactor([passwordOf(global.url), passwordOf(process.env.DATABASE_URL), process.env.PGPASSWORD, ...secrets]);
    const result = await action(ctx, safeIo);
    process.exitCode = print(result, safeIo) ?? ExitCode.Ok;
  } catch (error) {
    process.exitCode = reportError(error, global.verbose ?? false, safeIo);
  } finally {
    await ctx?.close().catch(() => {});
  }
}

export function reportError(error: unknown, verbose: boolean, io: Io): ExitCode {
  if (error instanceof KonstructError) {
    io.err(`error: ${error.message}`);
    if (error.hint) io.err(`  ${error.hint}`);
    if (verbose) io.err(String(error.stack ?? ''));
    if (verbose && error.cause instanceof Error) io.err(`caused by: ${error.cause.stack ?? error.cause.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: unexpected failure: ${message}`);
  if (verbose) io.err(String((error as Error)?.stack ?? ''));
  else io.err('  Run again with --verbose for details, and report it if it persists.');
  return ExitCode.Internal;
}
