/**
 * `check`: every pending migration run on a throwaway copy of the target's
 * schema (src/checks/), and what it did judged against the tables that
 * existed before it, at their real sizes. Nothing is changed on the target.
 */
import type { Knex } from 'knex';
import type { MigrationContext } from '../context';
import { assertHistoryKnown, resolveTarget } from '../engine/plan';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import { readPhaseStates } from '../history/phase-state';
import { loadMigration } from '../model/load-migration';
import { targetHistory, targetSchema } from '../checks/target-facts';
import { acceptedFindingsOf, type AcceptedFinding } from '../checks/accepted-findings';
import { buildCopy, type CopySource } from '../checks/build-copy';
import { judge, type Finding } from '../checks/judge';
import { withNearlyEveryRow } from '../checks/nearly-every-row';
import { DEFAULT_THRESHOLD_ROWS } from '../checks/check-defaults';
import { observePending } from '../checks/observed-run';
import { embeddedScratch, scratchDatabaseOn, type ScratchDatabase } from '../checks/scratch-server';
import { createKnex } from '../db/create-knex';
import { ConfigError, KonstructError, MigrationFailedError } from '../errors';
import { ExitCode } from '../exit-codes';
import { readRecordedSizes, readTargetSizes, type TableSize } from '../checks/table-sizes';
import { refuseIfCannotStart } from './start-refusal';
import { removeLeftoverCopies } from '../checks/leftover-copies';

export { DEFAULT_THRESHOLD_ROWS };

export interface CheckOptions {
  /** Check the pending migrations up to this one (name or numeric prefix). */
  to?: string;
  /** Findings on tables with at least this many rows refuse; smaller tables only warn. */
  thresholdRows?: number;
  /** Judge by the sizes recorded in this file, and build the copy from the migrations it lists as applied, instead of the target. */
  recordedSizes?: string;
  /** An admin URL of a server to build the copy on (a database is created and dropped there); default: a private embedded cluster. */
  serverUrl?: string;
}

export interface CheckResult {
  pending: string[];
  /** Each pending migration's file, for annotations. */
  files: Record<string, string>;
  copiedFrom: 'target catalog' | 'migrations';
  sizesFrom: string;
  thresholdRows: number;
  findings: Finding[];
  /** Wall time of the whole check, throwaway server included. */
  ms: number;
}

export async function check(ctx: MigrationContext, options: CheckOptions = {}): Promise<CheckResult> {
  const started = performance.now();
  await removeLeftoverCopies();
  const local = listLocalMigrations(ctx.migrationsDir);
  const schema = await targetSchema(ctx);
  const thresholdRows = options.thresholdRows ?? DEFAULT_THRESHOLD_ROWS;
  const target = options.to ? resolveTarget(options.to, local) : undefined;

  let applied: string[];
  let sizes: Record<string, TableSize>;
  let sizesFrom: string;
  if (options.recordedSizes) {
    const recorded = readRecordedSizes(options.recordedSizes);
    ({ applied, tables: sizes } = recorded);
    sizesFrom = `${options.recordedSizes} (recorded ${recorded.recordedAt})`;
  } else {
    const history = await targetHistory(ctx);
    assertHistoryKnown(local, history);
    applied = history.map((h) => h.name);
    sizes = await readTargetSizes(ctx.knex, schema);
    sizesFrom = 'the target\'s statistics';
  }
  const pending = local.filter((m) => !applied.includes(m.name) && (!target || m.name <= target.name));
  const source: CopySource = options.recordedSizes
    ? { kind: 'migrations', applied: local.filter((m) => applied.includes(m.name)) }
    : { kind: 'catalog', target: ctx.knex, partWay: await readPhaseStates(ctx.knex) };
  // What up would refuse before the first migration to start, check says too (found by review: check passed lists up
  // refused). The first only: the others' checks need the migrations before them applied.
  if (source.kind === 'catalog') {
    const firstToStart = pending.find((m) => !source.partWay.some((s) => s.name === m.name));
    if (firstToStart) await refuseIfCannotStart(ctx.knex, await loadMigration(firstToStart), []);
  }
  const findings = pending.length === 0 ? [] : await checkOnCopy(pending, schema, source, sizes, thresholdRows, options.serverUrl);
  return {
    pending: pending.map((m) => m.name),
    files: Object.fromEntries(pending.map((m) => [m.name, m.file])),
    copiedFrom: source.kind === 'catalog' ? 'target catalog' : 'migrations',
    sizesFrom,
    thresholdRows,
    findings,
    ms: Math.round(performance.now() - started),
  };
}

/** The pending migrations run and judged on a throwaway copy, which is always removed. */
export async function checkOnCopy(
  pending: LocalMigration[],
  schema: string,
  source: CopySource,
  sizes: Record<string, TableSize>,
  thresholdRows: number,
  serverUrl?: string,
): Promise<Finding[]> {
  const accepts = new Map<string, AcceptedFinding[]>();
  for (const m of pending) accepts.set(m.name, acceptedFindingsOf(m.name, { acceptFindings: (await loadMigration(m)).acceptFindings }));
  const scratch: ScratchDatabase = serverUrl ? await scratchDatabaseOn(serverUrl, copyKnex('public')) : await embeddedScratch();
  try {
    const copy = await copyKnex(schema)(scratch.url);
    try {
      await buildCopy(copy, schema, source).catch((error: unknown) => Promise.reject(copyNotBuilt(error, serverUrl !== undefined)));
      const observed = await observePending(copy, schema, pending, source.kind === 'catalog' ? source.partWay : []).catch((error: unknown) =>
        Promise.reject(error instanceof MigrationFailedError ? failedOnTheCopy(error) : error));
      // How many rows a condition meets only the target can say; recorded sizes come without it.
      const counted = source.kind === 'catalog' ? await withNearlyEveryRow(observed, source.target, schema, sizes) : observed;
      return judge(counted, sizes, accepts, thresholdRows);
    } finally {
      await copy.destroy();
    }
  } finally {
    await scratch.drop();
  }
}

/**
 * A knex with exactly one connection, so that everything the migrations send goes through the observed one. knex's
 * own line for each failed connection attempt (with its stack) is left out: the failure is reported once, in one line.
 */
function copyKnex(schema: string): (url: string) => Promise<Knex> {
  return async (url) => {
    return createKnex({
      client: 'pg', connection: url, searchPath: [schema], pool: { min: 1, max: 1 },
      log: { warn: (message: string) => void (message.startsWith('Acquire connection error') || console.warn(message)) },
    });
  };
}

/**
 * The copy could not be made from the target's catalog: something the target has that the copy cannot hold yet. Not
 * the migrations' fault, and nothing ran on the target (found by review: it said only "unexpected failure").
 */
function copyNotBuilt(error: unknown, onGivenServer: boolean): KonstructError {
  const reason = error instanceof Error ? error.message : String(error);
  // Making the target's owners, roles and grants there takes a superuser (found by review: blamed on the schema).
  if (onGivenServer && (error as { code?: string }).code === '42501') {
    return new ConfigError(`check could not build its throwaway copy on KONSTRUCT_CHECK_SERVER_URL: ${reason}`,
      'Nothing ran on the target. The copy makes the target\'s roles, owners and grants: give KONSTRUCT_CHECK_SERVER_URL a superuser, or unset it to use a private embedded PostgreSQL.');
  }
  return new KonstructError(`check could not build its throwaway copy of the target's schema: ${reason}`, {
    exitCode: ExitCode.Internal,
    hint: 'Nothing ran on the target. The schema holds something the copy cannot make yet: please report it (with --verbose). `up --no-check` skips the check.',
    cause: error,
  });
}

/** A migration failed where check ran it: on the copy, never on the target, which a "rolled back" would suggest. */
function failedOnTheCopy(error: MigrationFailedError): MigrationFailedError {
  error.message = error.message.replace(/ failed and was rolled back: | failed; [^:]*: /, " failed on check's throwaway copy of the schema, so nothing ran on the target: ");
  const pgAdvice = [error.pg?.detail && `detail: ${error.pg.detail}`, error.pg?.hint && `hint: ${error.pg.hint}`].filter(Boolean);
  error.hint = [...pgAdvice, 'Fix the migration and check again. Should it run on the real schema all the same (the copy may lack something the target has), report it; `up --no-check` skips the check.'].join('; ');
  return error;
}
