/**
 * The one place where a command's outcome becomes process state: the database
 * context is opened and always closed, errors become one redacted line and an
 * exit code. Handlers never call process.exit().
 *
 * With --json, stdout carries exactly one JSON document (the result, or the
 * error) and everything meant for people goes to stderr.
 */
import { KonstructError, MigrationFailedError } from '../errors';
import { ExitCode } from '../exit-codes';
import { openContext, type MigrationContext } from '../context';
import { loadConfig, type ConfigInput, type KonstructConfig } from '../config/config';
import { redactor } from '../db/redact';
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

/** The configuration's inputs from the command line (the environment and .env are read by loadConfig). */
export function configInput(global: GlobalOptions): ConfigInput {
  return {
    url: global.url,
    schema: global.schema,
    waitSeconds: global.wait,
    connectTimeoutMs: global.connectTimeout !== undefined ? global.connectTimeout * 1000 : undefined,
    verbose: global.verbose,
    quiet: global.quiet,
    json: global.json,
    color: global.color,
  };
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
  /** What the command can check without a database (names, flag combinations): run before connecting. */
  preflight?: (config: KonstructConfig) => void,
): Promise<void> {
  // Configuration errors print no value that could be a secret; the passwords are known once it is read.
  let redact = redactor([]);
  const safeIo = makeIo((t) => io.out(redact(t)), (t) => io.err(redact(t)));
  const jsonMode = Boolean(json && global.json);
  // In JSON mode the human-oriented text moves to stderr.
  const humanIo = jsonMode ? makeIo(safeIo.err, safeIo.err) : safeIo;
  let ctx: MigrationContext | undefined;
  try {
    const config = loadConfig(configInput(global));
    redact = redactor(config.secrets);
    preflight?.(config);
    ctx = await openContext(config, { log: config.output.quiet ? () => {} : safeIo.err });
    redact = redactor(ctx.secrets);
    const result = await action(ctx, humanIo);
    const exitCode = print(result, humanIo) ?? ExitCode.Ok;
    if (jsonMode) safeIo.out(JSON.stringify(resultDocument(json!.command, exitCode, json!.document?.(result) ?? (result as object)), null, 2));
    process.exitCode = exitCode;
  } catch (error) {
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
