/**
 * The one place where a command's outcome becomes process state: the database
 * context is opened and always closed, errors become one redacted line and an
 * exit code. Handlers never call process.exit().
 *
 * With --json, stdout carries exactly one JSON document (the result, or the
 * error) and everything meant for people goes to stderr.
 */
import { explainPoolerFailure } from './pooler-errors';
import { asPrivilegeError, ConfigError, KonstructError, MigrationFailedError } from '../errors';
import { ExitCode } from '../exit-codes';
import { openContext, type MigrationContext } from '../context';
import { loadConfig, type ConfigInput, type KonstructConfig } from '../config/config';
import { redactor } from '../db/redact';
import { hintFor } from './help-pointer';
import { makeIo, type Io } from './io';
import { errorDocument, jsonText, resultDocument } from './json-output';

export { makeIo, processIo, type Io } from './io';

export interface GlobalOptions {
  url?: string;
  verbose?: boolean;
  quiet?: boolean;
  schema?: string;
  /** False with --no-color. */
  color?: boolean;
  /** --json, for the commands that take it. */
  json?: boolean;
  /** Seconds to wait for the database to accept connections; `true` (no value) only means something to `complete`. */
  wait?: number | true;
  /** Seconds before one connection attempt gives up. */
  connectTimeout?: number;
}


export interface CommandOutput<T> {
  /** The command's name: in its --json document and in the pointer to its --help. */
  command: string;
  /** The `result` of its --json document (see json-output.ts); the result itself when absent. */
  document?: (result: T) => object;
}

/** The configuration's inputs from the command line (the environment and .env are read by loadConfig). */
export function configInput(global: GlobalOptions): ConfigInput {
  return {
    url: global.url,
    schema: global.schema,
    waitSeconds: connectionWait(global.wait),
    connectTimeoutMs: global.connectTimeout !== undefined ? global.connectTimeout * 1000 : undefined,
    verbose: global.verbose,
    quiet: global.quiet,
    json: global.json,
    color: global.color,
  };
}

function connectionWait(wait: number | true | undefined): number | undefined {
  if (wait !== true) return wait;
  throw new ConfigError('--wait needs a number of seconds: how long to keep trying while the database does not accept connections', 'Only `complete --wait` takes none (it waits for the old application version to drain).');
}

export async function runWithContext<T>(
  global: GlobalOptions,
  io: Io,
  /** Gets the redacting Io too, to report progress while it runs. */
  action: (ctx: MigrationContext, io: Io) => Promise<T>,
  /** Prints through the redacting Io it is given; may return a non-zero exit code (e.g. status --check). */
  print: (result: T, io: Io) => ExitCode | void,
  /** With --json, this function prints the one document, also for errors. */
  output: CommandOutput<T>,
  /** What the command can check without a database (names, flag combinations): run before connecting. */
  preflight?: (config: KonstructConfig) => void,
): Promise<void> {
  // Configuration errors print no value that could be a secret; the passwords are known once it is read.
  let redact = redactor([]);
  const safeIo = makeIo((t) => io.out(redact(t)), (t) => io.err(redact(t)));
  const jsonMode = Boolean(global.json);
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
    if (jsonMode) safeIo.out(jsonText(resultDocument(output.command, exitCode, output.document?.(result) ?? (result as object))));
    process.exitCode = exitCode;
  } catch (failure) {
    const error = explainPoolerFailure(failure) ?? asPrivilegeError(failure) ?? failure;
    const exitCode = reportError(error, global.verbose ?? false, safeIo, output.command);
    if (jsonMode) safeIo.out(jsonText(errorDocument(output.command, exitCode, error)));
    process.exitCode = exitCode;
  } finally {
    await ctx?.close().catch(() => {});
  }
}

/** Prints `error` for people (stderr): one line, then what to do; details only with --verbose. */
export function reportError(error: unknown, verbose: boolean, io: Io, command: string | null = null): ExitCode {
  const hint = hintFor(error, command);
  if (error instanceof KonstructError) {
    io.err(`error: ${error.message}`);
    if (hint) io.err(`  ${hint}`);
    if (verbose && error instanceof MigrationFailedError && error.statement) io.err(`  statement: ${error.statement}`);
    if (verbose) io.err(String(error.stack ?? ''));
    if (verbose && error.cause instanceof Error) io.err(`caused by: ${error.cause.stack ?? error.cause.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: unexpected failure: ${message}`);
  if (verbose) io.err(String((error as Error)?.stack ?? ''));
  else io.err(`  ${hint}`);
  return ExitCode.Internal;
}
