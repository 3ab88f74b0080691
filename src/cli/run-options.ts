/**
 * The safety options `up`, `down` and `complete` share, and the parsers that turn their
 * values into numbers (a bad value is a usage error, exit 2).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { RunOptions } from '../engine/locked-run';
import { MAX_TIMEOUT_SECONDS, RUN_DEFAULTS } from '../engine/run-defaults';
import { jsonOption } from './shared-options';

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds, 0 or more.');
  return n;
}

/** A lock_timeout or statement_timeout: PostgreSQL takes at most INT_MAX milliseconds. */
export function parseTimeoutSeconds(value: string): number {
  const n = parseSeconds(value);
  if (n > MAX_TIMEOUT_SECONDS) throw new InvalidArgumentError(`expected at most ${MAX_TIMEOUT_SECONDS} seconds, the most PostgreSQL accepts.`);
  return n;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return n;
}

export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number, 1 or more.');
  return n;
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--dry-run', 'run the steps in a transaction that is rolled back; print each statement and the table locks it takes')
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for another run to finish').argParser(parseSeconds).default(RUN_DEFAULTS.lockWait))
    .addOption(
      new Option('--lock-timeout <seconds>', 'give up a table lock after this long, roll back and retry (0: wait indefinitely)')
        .argParser(parseTimeoutSeconds)
        .default(RUN_DEFAULTS.lockTimeout),
    )
    .addOption(
      new Option('--lock-budget <seconds>', 'keep retrying a step after lock timeouts this long in all (jittered, growing pauses)')
        .argParser(parseSeconds)
        .default(RUN_DEFAULTS.lockBudget),
    )
    .addOption(new Option('--lock-retries <count>', 'at most this many retries after a lock timeout (default: as many as --lock-budget allows)').argParser(parseCount))
    .addOption(
      new Option('--batch-size <rows>', 'phased migrations: the most rows one backfill batch covers (one short transaction)').argParser(parsePositive).default(RUN_DEFAULTS.batchSize),
    )
    .addOption(
      new Option('--batch-time <ms>', 'phased migrations: target time of one backfill batch, 0 for fixed batches of --batch-size; its size adapts from 1000 rows, up to --batch-size')
        .argParser(parseCount)
        .default(RUN_DEFAULTS.batchTime),
    )
    .addOption(new Option('--batch-pause <ms>', 'phased migrations: pause between backfill batches').argParser(parseCount).default(RUN_DEFAULTS.batchPause))
    .addOption(
      new Option('--max-replica-lag <seconds>', 'phased migrations: hold the backfill while a streaming replica replays more than this far behind (0: off)')
        .argParser(parseSeconds)
        .default(RUN_DEFAULTS.maxReplicaLag),
    )
    .addOption(
      new Option('--max-archive-backlog <segments>', 'phased migrations: hold the backfill while more WAL segments than this wait to be archived (0: off)')
        .argParser(parseCount)
        .default(RUN_DEFAULTS.maxArchiveBacklog),
    )
    .addOption(
      new Option('--statement-timeout <seconds>', 'cancel any statement running longer (0: off)').argParser(parseTimeoutSeconds).default(RUN_DEFAULTS.statementTimeout),
    )
    .option('--allow-changed', 'run even though applied migrations changed since they were applied')
    .addOption(jsonOption());
}

/** The run options as parsed by addRunOptions. */
export function runOptionsFrom(opts: Record<string, unknown>): RunOptions {
  return {
    dryRun: Boolean(opts.dryRun),
    lockWait: opts.lockWait as number,
    lockTimeout: opts.lockTimeout as number,
    lockBudget: opts.lockBudget as number,
    lockRetries: opts.lockRetries as number | undefined,
    batchSize: opts.batchSize as number,
    batchTime: opts.batchTime as number,
    batchPause: opts.batchPause as number,
    maxReplicaLag: opts.maxReplicaLag as number,
    maxArchiveBacklog: opts.maxArchiveBacklog as number,
    statementTimeout: opts.statementTimeout as number,
    allowChanged: Boolean(opts.allowChanged),
  };
}
