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
import { RUN_DEFAULTS, underMigrationLock, type LockedRun, type RunOptions } from '../engine/locked-run';
import { assertInOrder } from '../engine/migration-order';
import { assertUnchanged, changedSinceApplied, pendingMigrations, resolveTarget } from '../engine/plan';
import { withCompletedSteps } from '../engine/progress';
import { runStep, type StepResult } from '../engine/run-step';
import { assertSessionStepsCanRun } from '../engine/session-steps';
import type { StepListener } from '../engine/step-events';
import { explainHistoryFailure } from '../history/history-failure';
import { ensureHistoryTables, nextBatch, recordMissingChecksums } from '../history/history-table';
import { listLocalMigrations, loadMigration, type LocalMigration } from '../history/local-migrations';
import { expandedAt } from '../phased/phased-migration';
import type { PhaseState } from '../phased/phase-state';
import { runPhased, startingPosition } from '../phased/run-phased';

export interface UpOptions extends RunOptions {
  /** Stop after this migration (full name or numeric prefix). */
  to?: string;
  /** Stop once a phased migration is expanded (both application versions served), and hold it there for `complete`. */
  expand?: boolean;
  /** Told as each migration (and each step of a phased one) starts and finishes. */
  onStep?: StepListener;
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
}

export async function up(ctx: MigrationContext, options: UpOptions = {}): Promise<UpResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const target = options.to ? resolveTarget(options.to, local) : undefined;
  return underMigrationLock(ctx, 'up', local, options, async (run) => {
    const pending = pendingMigrations(local, run.history, target);
    if (!options.allowOutOfOrder) assertInOrder(local, run.history);
    if (!options.expand) assertNoneHeld(pending, run.partWay);
    return carryOn(ctx, local, pending, run, options, options.expand ? 'expand' : 'all');
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
  const batch = nextBatch(history);
  // Loaded before the first step commits: one that cannot be loaded (no tsx for a new source) stops the whole run.
  for (const migration of pending) await loadMigration(migration);
  if (options.dryRun) {
    const units = await Promise.all(pending.map(async (migration) => {
      const phases = (await loadMigration(migration)).phases;
      if (!phases) return { migration };
      const from = startingPosition({ state: states.get(migration.name), direction: 'up', steps: phases }).stepsDone;
      return { migration, steps: range(from, until === 'expand' ? expandedAt(phases) : phases.length) };
    }));
    return { applied: [], expanded: [], batch: pending.length ? batch : null, dryRun: await dryRunSteps(ctx.knex, units, 'up', batch, timeouts) };
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

  await assertSessionStepsCanRun(ctx.knex, pending, 'up');
  const applied: StepResult[] = [];
  const expanded: string[] = [];
  await withCompletedSteps(applied, async () => {
    for (const migration of pending) {
      options.onStep?.({ type: 'started', name: migration.name, direction: 'up' });
      // The history tables are created (if missing) in the first step's transaction, so a failed first run leaves nothing.
      const prepare = applied.length === 0 ? prepareHistory : undefined;
      const phases = (await loadMigration(migration)).phases;
      if (!phases) {
        const step = await runStep(ctx.knex, migration, 'up', batch, { ...stepOptions, prepare });
        applied.push(step);
        options.onStep?.({ type: 'finished', step });
        continue;
      }
      const stopAt = until === 'expand' ? expandedAt(phases) : phases.length;
      const state = states.get(migration.name);
      const step = await runPhased(
        ctx.knex,
        { migration, steps: phases, state, direction: 'up', stopAt, held: until === 'expand', batch },
        { ...stepOptions, prepare, onStep: options.onStep, batchSize: options.batchSize ?? RUN_DEFAULTS.batchSize, batchPauseMs: options.batchPause ?? RUN_DEFAULTS.batchPause },
      );
      if (stopAt < phases.length) {
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
function assertNoneHeld(pending: LocalMigration[], partWay: PhaseState[]): void {
  const held = partWay.filter((s) => s.held && pending.some((m) => m.name === s.name)).map((s) => s.name);
  if (held.length > 0) {
    throw new KonstructError(`${held.join(', ')} is held expanded (by \`up --expand\` or \`down --to-expanded\`): plain \`up\` does not contract it while old application versions may still run`, {
      exitCode: ExitCode.Usage,
      hint: 'Once every instance runs the new version, run `konstruct-migrate complete`; or `konstruct-migrate down` to revert it. Nothing was changed.',
    });
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
