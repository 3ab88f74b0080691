/**
 * `steer`: pause, resume or change the target batch time of a backfill from
 * another shell, without stopping its run. It writes the migration's row of
 * konstruct_migration_steering (history/steering-table.ts), which the running
 * migration reads before each batch (engine/steering-gate.ts) and never
 * writes while it works: so this never waits for the migration. It acts on the
 * migration that stands part-way, or on the one named (a pending phased
 * migration too: its backfill then waits as soon as it starts).
 */
import os from 'node:os';
import type { MigrationContext } from '../context';
import { LOCK_ROW } from '../db/advisory-lock';
import { resolveTarget } from '../engine/plan';
import { ConfigError, TargetError } from '../errors';
import { readHistory } from '../history/history-table';
import { listLocalMigrations } from '../history/local-migrations';
import { readPhaseStates } from '../history/phase-state';
import { readSteering, steer as writeSteering, type Steering } from '../history/steering-table';
import { loadMigration } from '../model/load-migration';

export interface SteerOptions {
  /** The migration, by name or number; default: the one that stands part-way. */
  migration?: string;
  /** Hold the backfill before its next batch. */
  pause?: boolean;
  /** Why, shown to whoever runs or looks at it (with pause only). */
  reason?: string;
  /** Let it carry on. */
  resume?: boolean;
  /** A new target time of one batch, in ms: the batch size adapts to it. */
  batchTimeMs?: number;
}

export interface SteerResult {
  migration: string;
  /** The row as it now stands. */
  steering: Steering;
  /** It was paused before this command. */
  wasPaused: boolean;
  /** The run that holds the migration lock now (it acts before its next batch); null: none runs. */
  running: { pid: number; applicationName: string } | null;
}

/** Flag combinations, checked before connecting (the CLI's preflight) and again here. */
export function checkSteerOptions(options: SteerOptions): void {
  if (options.pause && options.resume) throw new ConfigError('--pause and --resume cannot go together', 'Give one of them (with --batch-time if you like).');
  if (!options.pause && !options.resume && options.batchTimeMs === undefined) {
    throw new ConfigError('nothing to do: give --pause, --resume or --batch-time <ms>', 'e.g. `konstruct-migrate steer --pause --reason "peak traffic"`; `konstruct-migrate status` shows what is steered.');
  }
  if (options.reason !== undefined && !options.pause) throw new ConfigError('--reason goes with --pause', 'e.g. `konstruct-migrate steer --pause --reason "peak traffic"`.');
  if (options.batchTimeMs !== undefined && !(Number.isInteger(options.batchTimeMs) && options.batchTimeMs >= 1)) {
    throw new ConfigError('--batch-time must be a whole number of milliseconds, 1 or more');
  }
}

export async function steer(ctx: MigrationContext, options: SteerOptions): Promise<SteerResult> {
  checkSteerOptions(options);
  const migration = await whichMigration(ctx, options.migration);
  const before = await readSteering(ctx.knex, migration);
  const steering = await writeSteering(ctx.knex, migration, {
    ...(options.pause ? { paused: true, reason: options.reason ?? null } : options.resume ? { paused: false } : {}),
    ...(options.batchTimeMs !== undefined ? { batchTimeMs: options.batchTimeMs } : {}),
    by: cliUser(),
  });
  return { migration, steering, wasPaused: before?.paused ?? false, running: await runningRun(ctx) };
}

/** The named migration, if it can still run a backfill; else the one part-way. */
async function whichMigration(ctx: MigrationContext, named: string | undefined): Promise<string> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const partWay = (await readPhaseStates(ctx.knex)).map((s) => s.name);
  if (named !== undefined) {
    const m = resolveTarget(named, local);
    if ((await readHistory(ctx.knex)).some((h) => h.name === m.name)) {
      throw new TargetError(`${m.name} is applied: it has no backfill left to steer`, 'Name a pending or part-way phased migration (`konstruct-migrate status`). Nothing was changed.');
    }
    if (!partWay.includes(m.name) && !(await loadMigration(m)).phased) {
      throw new TargetError(`${m.name} is not a phased migration: it has no backfill to steer`, 'Only a phased migration runs batches (docs/online-migrations.md). Nothing was changed.');
    }
    return m.name;
  }
  if (partWay.length === 0) {
    throw new TargetError(
      'nothing to steer: no migration stands part-way',
      'A backfill can be steered while it runs or stands part-way; to pause a pending phased migration before it starts, name it: `konstruct-migrate steer 006 --pause`. Nothing was changed.',
    );
  }
  if (partWay.length > 1) throw new TargetError(`several migrations stand part-way (${partWay.join(', ')}): name the one to steer`, 'e.g. `konstruct-migrate steer <migration> --pause`. Nothing was changed.');
  return partWay[0]!;
}

/** The session holding the migration lock, if any: a run that will read the row before its next batch. */
async function runningRun(ctx: MigrationContext): Promise<SteerResult['running']> {
  const { rows } = await ctx.knex.raw(`SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE ${LOCK_ROW}`);
  return rows[0] ? { pid: rows[0].pid, applicationName: rows[0].application_name } : null;
}

/** user@host of this process, as whoever looks at the pause will want to find them. */
function cliUser(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown'; // no passwd entry (some containers)
  }
  return `${user}@${os.hostname()}`;
}
