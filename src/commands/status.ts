/**
 * `status`: every migration, applied, pending or part-way, when it was applied,
 * and whether its file changed since. A phased migration that stands part-way
 * has a state saying what the application versions can do (phase-state.ts:
 * `expanding`, `backfilling`, `expanded`, `contracting`), the step it is at and
 * how far its backfill got.
 */
import { orderProblems, type OrderProblem } from '../engine/migration-order';
import { changedSinceApplied, unknownApplied } from '../engine/plan';
import { readHistory } from '../history/history-table';
import { listLocalMigrations, loadMigration, type LocalMigration } from '../history/local-migrations';
import { expandedAt, isBatched, type PhaseName } from '../phased/phased-migration';
import { PART_WAY_STATES, partWayState, readPhaseStates, type PartWayState, type PhaseState } from '../phased/phase-state';
import { startingPosition } from '../phased/run-phased';
import type { MigrationContext } from '../context';
import type { Knex } from 'knex';

export type MigrationState = 'applied' | 'pending' | PartWayState | 'unknown';
/** Every state, in the order docs/cli-output.md lists them (a test compares the two). */
export const MIGRATION_STATES: readonly MigrationState[] = ['applied', 'pending', ...PART_WAY_STATES, 'unknown'];

export interface PartWayStatus {
  /** What the application versions can do (phase-state.ts); `expanded` only once expand and backfill are done. */
  state: PartWayState;
  /** Steps applied, of all its steps. */
  stepsDone: number;
  steps: number;
  /** The phase of the step to run next going up, or `contract` once only contract steps are left. */
  phase: PhaseName;
  /** The next step going up; null when none. */
  nextStep: string | null;
  /** Every expand and backfill step is done: both application versions are served. */
  expanded: boolean;
  /** Held by `up --expand`: plain `up` refuses, `complete` carries it on. */
  held: boolean;
  /** Which way the last run was going. */
  direction: 'up' | 'down';
  /** A batched step stopped between two batches: its rows so far, and its estimate of all of them. */
  backfill: { step: string; rowsDone: number; estimatedRows: number | null } | null;
  updatedAt: Date;
}

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  appliedAt: Date | null;
  batch: number | null;
  /** Applied, and its file differs from what was applied (by checksum). */
  changed: boolean;
  /** Only for a part-way state (`expanding`, `backfilling`, `expanded`, `contracting`). */
  partWay: PartWayStatus | null;
}

export interface StatusResult {
  migrations: MigrationStatus[];
  applied: number;
  pending: number;
  /** Phased migrations standing part-way (any part-way state). */
  partWay: string[];
  /** Applied migrations whose file changed since. */
  changed: string[];
  /** Applied in the database but absent from this code. */
  unknown: string[];
  /** Files sharing a number, pending migrations sorting before an applied one (`up` refuses those). */
  order: OrderProblem[];
}

export async function status(ctx: MigrationContext): Promise<StatusResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const history = await readHistory(ctx.knex);
  const states = new Map((await readPhaseStates(ctx.knex)).map((s) => [s.name, s]));
  const byName = new Map(history.map((h) => [h.name, h]));
  const unknown = unknownApplied(local, history);
  const changed = changedSinceApplied(local, history);

  const migrations: MigrationStatus[] = [];
  for (const m of local) {
    const h = byName.get(m.name);
    const state = states.get(m.name);
    const partWay = state ? await partWayStatus(ctx.knex, m, state) : null;
    migrations.push({
      name: m.name,
      state: h ? 'applied' : partWay?.state ?? 'pending',
      appliedAt: h?.appliedAt ?? null,
      batch: h?.batch ?? null,
      changed: changed.includes(m.name),
      partWay,
    });
  }
  for (const name of unknown) {
    const h = byName.get(name)!;
    migrations.push({ name, state: 'unknown', appliedAt: h.appliedAt, batch: h.batch, changed: false, partWay: null });
  }
  const count = (s: MigrationState) => migrations.filter((m) => m.state === s).length;
  return {
    migrations,
    applied: count('applied'),
    pending: count('pending'),
    partWay: migrations.filter((m) => (PART_WAY_STATES as readonly string[]).includes(m.state)).map((m) => m.name),
    changed,
    unknown,
    order: orderProblems(local, history),
  };
}

async function partWayStatus(knex: Knex, migration: LocalMigration, state: PhaseState): Promise<PartWayStatus> {
  const steps = (await loadMigration(migration)).phases ?? [];
  const { stepsDone } = startingPosition({ state, direction: 'up', steps });
  const next = steps[stepsDone];
  const inBatch = state.cursor !== null ? steps[state.direction === 'up' ? state.stepsDone : state.stepsDone - 1] : undefined;
  const estimate = inBatch && isBatched(inBatch) ? await inBatch.batch.estimateRows?.(knex).catch(() => undefined) : undefined;
  return {
    state: partWayState(steps, state.stepsDone),
    stepsDone: state.stepsDone,
    steps: steps.length,
    phase: next?.phase ?? 'contract',
    nextStep: next?.name ?? null,
    expanded: state.stepsDone >= expandedAt(steps),
    held: state.held,
    direction: state.direction,
    backfill: inBatch ? { step: inBatch.name, rowsDone: state.rowsDone, estimatedRows: estimate ?? null } : null,
    updatedAt: state.updatedAt,
  };
}
