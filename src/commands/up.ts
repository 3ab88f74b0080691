/**
 * `up`: apply pending migrations in order, under the migration lock: a plain
 * migration in one transaction, a phased one step by step (src/phased/).
 * `up --expand` stops once a phased migration is expanded and holds it there;
 * `complete` (complete.ts) carries held and interrupted ones to the end.
 */
import type { Knex } from 'knex';
import type { MigrationContext } from '../context';
import { KonstructError } from '../errors';
import { ExitCode } from '../exit-codes';
import { dryRunSteps, type DryRunStep } from '../engine/dry-run';
import { batchOptions, underMigrationLock, type LockedRun, type RunOptions } from '../engine/locked-run';
import { assertInOrder } from '../engine/migration-order';
import { assertPlansUnchanged, assertUnchanged, changedSinceApplied, pendingMigrations, resolveTarget } from '../engine/plan';
import { withCompletedSteps } from '../engine/progress';
import { runMigration, startingPosition } from '../engine/run-migration';
import type { StepResult } from '../engine/step-result';
import { assertSessionStepsCanRun } from '../engine/session-steps';
import type { StepListener } from '../engine/step-events';
import { workTransactions } from '../engine/work-transaction';
import { explainHistoryFailure } from '../history/history-failure';
import { ensureHistoryTables, nextBatch, recordMissingChecksums } from '../history/history-table';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import type { PhaseState } from '../history/phase-state';
import { loadMigration, loadMigrations } from '../model/load-migration';
import type { Migration } from '../model/migration';
import { DEFAULT_SNAPSHOTS_DIR } from '../catalog/snapshot-files';
import { contractDropsIn } from '../drain/contract-drops';
import { blindAtExpand } from '../drain/drain-evidence';
import { refuseUnsafeMigrations, type UpCheckOptions } from './up-gate';
import { acceptedBy } from '../checks/accepted-findings';
import { refuseIfCannotStart } from './start-refusal';
import { removeLeftoverCopies } from '../checks/leftover-copies';

export interface UpOptions extends RunOptions {
  /** Stop after this migration (full name or numeric prefix). */
  to?: string;
  /** Stop once a phased migration is expanded (both application versions served), and hold it there for `complete`. */
  expand?: boolean;
  /** Told as each migration (and each step of a phased one) starts and finishes. */
  onStep?: StepListener;
  /** Runs once the migrations are loaded, before anything is applied (complete's drain gate); a throw stops the run. */
  beforeRun?: (migrations: Migration[], states: Map<string, PhaseState>) => Promise<void>;
  /** Check the pending migrations first and refuse unsafe ones (src/commands/up-gate.ts); false: do not. */
  check?: UpCheckOptions | false;
  /** Apply pending migrations that share a number with another, or sort before an applied one (migration-order.ts). */
  allowOutOfOrder?: boolean;
}

export interface UpResult {
  applied: StepResult[];
  batch: number | null;
  /** Phased migrations left expanded and held (`up --expand`): run `complete` once the new version is everywhere. */
  expanded: string[];
  /** Only with dryRun: what each pending step would run; nothing was committed. */
  dryRun?: DryRunStep[];
  /** Only with dryRun: the findings of `check` the pending migrations accept on purpose. */
  accepted?: ReturnType<typeof acceptedBy>;
  /** Only with `to`: the migration the run stopped at (later ones may be pending). */
  upTo?: string;
}

export async function up(ctx: MigrationContext, options: UpOptions = {}): Promise<UpResult> {
  await removeLeftoverCopies();
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;
  return underMigrationLock(ctx, 'up', local, options, async (run) => {
    const pending = pendingMigrations(local, run.history, target);
    if (!options.allowOutOfOrder) assertInOrder(local, run.history);
    if (!options.expand) await assertNoneHeld(pending, run.partWay);
    if (options.check && !options.dryRun) await refuseUnsafeMigrations(ctx, pending, run.partWay, options.check);
    const result = await carryOn(ctx, local, pending, run, options, options.expand ? 'expand' : 'all');
    return target ? { ...result, upTo: target.name } : result;
  });
}

/** The part of `up` that `complete` shares: run `pending` up, to the end or (`expand`) to the expanded point. */
export async function carryOn(
  ctx: MigrationContext,
  local: LocalMigration[],
  pending: LocalMigration[],
  { history, partWay, timeouts, stepOptions }: LockedRun,
  options: UpOptions,
  until: 'all' | 'expand',
): Promise<UpResult> {
  assertUnchanged(changedSinceApplied(local, history), options.allowChanged ?? false);
  const states = new Map(partWay.map((s) => [s.name, s]));
  const dropsOf = (migration: LocalMigration) => contractDropsIn(DEFAULT_SNAPSHOTS_DIR, local.map((m) => m.name), migration.name);
  const batch = nextBatch(history);
  // Loaded once, before the first step commits: one that cannot be loaded (no tsx for a new source) stops the whole run.
  const migrations = await loadMigrations(pending);
  assertPlansUnchanged(migrations, partWay);
  const stopAt = (m: (typeof migrations)[number]) => (until === 'expand' ? m.expandedAt : m.steps.length);
  if (!options.dryRun) await options.beforeRun?.(migrations, states);
  if (options.dryRun) {
    // The first to start only: the others' checks would need the dry run's changes before them, which it rolls back.
    const firstToStart = migrations.find((m) => !states.has(m.name));
    if (firstToStart) await refuseIfCannotStart(ctx.knex, firstToStart, []);
    const units = migrations.map((migration) => ({
      migration,
      from: startingPosition({ state: states.get(migration.name), direction: 'up', steps: migration.steps }),
      stopAt: stopAt(migration),
      drops: dropsOf(migration),
    }));
    const dryRun = await dryRunSteps(ctx.knex, units, 'up', { batch, batchSize: batchOptions(options).batchSize, timeouts });
    return { applied: [], expanded: [], batch: pending.length ? batch : null, dryRun, accepted: acceptedBy(migrations) };
  }

  // Rows written without a checksum (stock knex CLI, older versions) get today's: trusted on first sight.
  const unrecorded = history.filter((h) => h.checksum === null).map((h) => local.find((m) => m.name === h.name)!);
  const prepareHistory = (db: Knex) =>
    explainHistoryFailure(async () => {
      await ensureHistoryTables(db);
      await recordMissingChecksums(db, unrecorded);
    });
  if (unrecorded.length > 0) ctx.log(`recording the checksum of ${unrecorded.map((m) => m.name).join(', ')} (applied without one)`);
  if (pending.length === 0) {
    if (unrecorded.length > 0) await ctx.knex.transaction(prepareHistory);
    return { applied: [], expanded: [], batch: null };
  }

  await assertSessionStepsCanRun(ctx.knex, migrations, 'up');
  // The history tables are created (if missing) in the first transaction that commits, so a failed first run leaves nothing.
  const runner = workTransactions(ctx.knex, { ...stepOptions, prepare: prepareHistory });
  const applied: StepResult[] = [];
  const expanded: string[] = [];
  await withCompletedSteps(applied, async () => {
    for (const migration of migrations) {
      if (!states.has(migration.name)) {
        await refuseIfCannotStart(ctx.knex, migration, applied);
        const blind = until === 'expand' ? blindAtExpand(migration, dropsOf(migration)) : undefined;
        if (blind) ctx.log(blind);
      }
      options.onStep?.({ type: 'started', name: migration.name, direction: 'up' });
      const target = { migration, state: states.get(migration.name), direction: 'up' as const, stopAt: stopAt(migration), held: until === 'expand', batch, drops: dropsOf(migration) };
      const step = await runMigration(ctx.knex, runner, target, { ...batchOptions(options), onStep: options.onStep });
      if (target.stopAt < migration.steps.length) {
        // Later migrations build on this one's end state: they wait for `complete`.
        expanded.push(migration.name);
        break;
      }
      applied.push(step);
      options.onStep?.({ type: 'finished', step });
    }
  });
  return { applied, expanded, batch: applied.length ? batch : null };
}


/**
 * `up --expand` held it so that old application versions keep working until
 * `complete`; a plain `up` (a CI re-run, a laptop) must not contract it behind
 * the operator's back. An interrupted plain `up` is not held: it carries on.
 */
/** Plain `up` refuses a migration `up --expand` (or `down --to-expanded`) holds: it would go on to contract it. */
async function assertNoneHeld(pending: LocalMigration[], partWay: PhaseState[]): Promise<void> {
  const heldStates = partWay.filter((s) => s.held && pending.some((m) => m.name === s.name));
  const held = heldStates.map((s) => s.name);
  // Interrupted before it got there (in its backfill, say): `up --expand` carries it on, not `complete`.
  const notYet: string[] = [];
  for (const state of heldStates) {
    if (state.stepsDone < (await loadMigration(pending.find((m) => m.name === state.name)!)).expandedAt) notYet.push(state.name);
  }
  if (notYet.length > 0) {
    throw new KonstructError(`${notYet.join(', ')} stands part-way before expanded, held for \`up --expand\`: plain \`up\` would go on to contract it while old application versions may still run`, {
      exitCode: ExitCode.Usage,
      hint: 'Run `konstruct-migrate up --expand` to carry it on to expanded (then `konstruct-migrate complete` once every instance runs the new version); or `konstruct-migrate down` to revert it. Nothing was changed.',
    });
  }
  if (held.length > 0) {
    throw new KonstructError(`${held.join(', ')} is held expanded (by \`up --expand\` or \`down --to-expanded\`): plain \`up\` does not contract it while old application versions may still run`, {
      exitCode: ExitCode.Usage,
      hint: 'Once every instance runs the new version, run `konstruct-migrate complete`; or `konstruct-migrate down` to revert it. Nothing was changed.',
    });
  }
}
