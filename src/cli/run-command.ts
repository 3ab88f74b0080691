/**
 * The one place where a command's outcome becomes process state: the database
 * context is opened and always closed, errors become one redacted line and an
 * exit code. Handlers never call process.exit().
 *
 * With --json, stdout carries exactly one JSON document (the result, or the
 * error) and everything meant for people goes to stderr.
 */
import { explainPoolerFailure } from '../db/pooler-errors';
import { KonstructError, MigrationFailedError } from '../errors';
import { ExitCode } from '../exit-codes';
import { openContext, type MigrationContext } from '../context';
import { readDotenv } from '../config/database-url';
import { passwordOf, redactor } from '../db/redact';
import { errorDocument, resultDocument } from './json-output';

export interface GlobalOptions {
  url?: string;
  verbose?: boolean;
  quiet?: boolean;
  schema?: string;
  /** False with --no-color. */
  color?: boolean;
  /** --json of a command that passes a JsonOutput to runWithContext. */
  json?: boolean;
  /** Seconds to wait for the database to accept connections. */
  wait?: number;
  /** Seconds before one connection attempt gives up. */
  connectTimeout?: number;
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

export interface JsonOutput<T> {
  /** The command's name in the JSON document. */
  command: string;
  /** The command's fields of the JSON document; the result itself when absent. */
  document?: (result: T) => object;
}

/** DATABASE_URL from ./.env, if it can be read; reading errors are reported later, by openContext. */
function dotenvUrl(): string | undefined {
  try {
    return readDotenv(process.cwd()).DATABASE_URL;
  } catch {
    return undefined;
  }
}

export async function runWithContext<T>(
  global: GlobalOptions,
  io: Io,
  /** Gets the redacting Io too, to report progress while it runs. */
  action: (ctx: MigrationContext, io: Io) => Promise<T>,
  /** Prints through the redacting Io it is given; may return a non-zero exit code (e.g. status --check). */
  print: (result: T, io: Io) => ExitCode | void,
  /** Given by commands whose --json this function prints (one document, also for errors). */
  json?: JsonOutput<T>,
): Promise<void> {
  // Until the context exists, redact every password the connection could come from.
  const known = [passwordOf(global.url), passwordOf(process.env.DATABASE_URL), passwordOf(dotenvUrl()), process.env.PGPASSWORD];
  let redact = redactor(known);
  const safeIo = makeIo((t) => io.out(redact(t)), (t) => io.err(redact(t)));
  const jsonMode = Boolean(json && global.json);
  // In JSON mode the human-oriented text moves to stderr.
  const humanIo = jsonMode ? makeIo(safeIo.err, safeIo.err) : safeIo;
  let ctx: MigrationContext | undefined;
  try {
    ctx = await openContext({
      url: global.url,
      schema: global.schema,
      log: global.quiet ? () => {} : safeIo.err,
      waitSeconds: global.wait,
      connectTimeoutMs: global.connectTimeout !== undefined ? global.connectTimeout * 1000 : undefined,
    });
    redact = redactor([...known, ...ctx.secrets]);
    const result = await action(ctx, humanIo);
    const exitCode = print(result, humanIo) ?? ExitCode.Ok;
    if (jsonMode) safeIo.out(JSON.stringify(resultDocument(json!.command, exitCode, json!.document?.(result) ?? (result as object)), null, 2));
    process.exitCode = exitCode;
  } catch (failure) {
    const error = explainPoolerFailure(failure) ?? failure;
    const exitCode = reportError(error, global.verbose ?? false, safeIo);
    if (jsonMode) safeIo.out(JSON.stringify(errorDocument(json!.command, exitCode, error), null, 2));
    process.exitCode = exitCode;
  } finally {
    await ctx?.close().catch(() => {});
  }
}

export function reportError(error: unknown, verbose: boolean, io: Io): ExitCode {
  if (error instanceof KonstructError) {
    io.err(`error: ${error.message}`);
    if (error.hint) io.err(`  ${error.hint}`);
    if (verbose && error instanceof MigrationFailedError && error.statement) io.err(`  statement: ${error.statement}`);
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
