/**
 * `status`: every migration, applied, pending or part-way, when it was applied,
 * and whether its file changed since. A phased migration that stands part-way
 * has a state saying what the application versions can do (phase-state.ts:
 * `expanding`, `backfilling`, `expanded`, `contracting`), the step it is at and
 * how far its backfill got; a backfill an operator paused or slowed (`steer`)
 * says so, by whom and when.
 */
import { orderProblems, type OrderProblem } from '../engine/migration-order';
import { changedSinceApplied, unknownApplied } from '../engine/plan';
import { readHistory } from '../history/history-table';
import { knexLockSet } from '../history/knex-lock-row';
import { listLocalMigrations, type LocalMigration } from '../history/local-migrations';
import { actsGoing, isBatched, type PhaseName } from '../phased/phased-migration';
import { readPhaseStates, type PhaseState } from '../history/phase-state';
import { readAllSteering, type Steering } from '../history/steering-table';
import { revisionOf } from '../history/superseded-checksums';
import { PART_WAY_STATES, partWayState, type PartWayState } from '../phased/part-way-state';
import { startingPosition } from '../engine/run-migration';
import { loadMigration, loadMigrations } from '../model/load-migration';
import type { MigrationContext } from '../context';
import { DEFAULT_SNAPSHOTS_DIR } from '../catalog/snapshot-files';
import { contractDropsIn } from '../drain/contract-drops';
import { blindSpots, gatherEvidence } from '../drain/drain-evidence';
import type { EvidenceRow } from '../drain/evidence-table';
import type { Knex } from 'knex';
import { acceptedBy } from '../checks/accepted-findings';

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
  /**
   * This code compiles it into other steps than the run that started it recorded (model/plan-fingerprint.ts):
   * `up`, `complete` and `down` refuse to carry it on; the version that started it must.
   */
  planChanged: boolean;
  /** Which way the last run was going. */
  direction: 'up' | 'down';
  /** A batched step stopped between two batches: its rows so far, and its estimate of all of them. */
  backfill: { step: string; rowsDone: number; estimatedRows: number | null } | null;
  /** Signs that the old application version is still active (see `complete`'s drain gate); null once the contract began. */
  drain: DrainStatus | null;
  updatedAt: Date;
}

export interface DrainStatus {
  /** Old-shape writes recorded by the drain triggers, newest first. */
  writes: EvidenceRow[];
  /** Statements naming what the contract drops, counted by pg_stat_statements up to the last look. */
  reads: EvidenceRow[];
  /** What cannot be seen here, e.g. reads without pg_stat_statements. */
  notSeen: string[];
}

export interface MigrationStatus {
  name: string;
  state: MigrationState;
  appliedAt: Date | null;
  batch: number | null;
  /** Applied, and its file differs from what was applied (by checksum). */
  changed: boolean;
  /**
   * Applied (or part-way) from an earlier revision of its file that the record of
   * superseded checksums accepts (docs/production-safety.md#revising-an-applied-migration): not changed.
   */
  earlierRevision: boolean;
  /** Only for a part-way state (`expanding`, `backfilling`, `expanded`, `contracting`). */
  partWay: PartWayStatus | null;
  /** What an operator set with `steer` (paused, by whom, when, why; the batch time); null when nothing, or once applied. */
  steering: Steering | null;
}

export interface StatusResult {
  migrations: MigrationStatus[];
  applied: number;
  pending: number;
  /** Phased migrations standing part-way (any part-way state). */
  partWay: string[];
  /** Applied migrations whose file changed since. */
  changed: string[];
  /** Part-way migrations this code compiles into other steps than the run that started them (PartWayStatus.planChanged). */
  planChanged: string[];
  /** Applied in the database but absent from this code. */
  unknown: string[];
  /** Findings of `check` that pending migrations accept on purpose (docs/checking-migrations.md). */
  accepted: Awaited<ReturnType<typeof acceptedBy>>;
  /** Files sharing a number, pending migrations sorting before an applied one (`up` refuses those). */
  order: OrderProblem[];
  /**
   * knex_migrations_lock.is_locked is set: the stock knex CLI is migrating, or a killed knex run left it set; `up` and
   * `down` refuse until it is cleared (found by review: status said "up to date" while every run failed).
   */
  knexLocked: boolean;
}

export async function status(ctx: MigrationContext): Promise<StatusResult> {
  const local = listLocalMigrations(ctx.migrationsDir);
  const history = await readHistory(ctx.knex);
  const states = new Map((await readPhaseStates(ctx.knex)).map((s) => [s.name, s]));
  const steered = await readAllSteering(ctx.knex);
  const byName = new Map(history.map((h) => [h.name, h]));
  const unknown = unknownApplied(local, history);
  const changed = changedSinceApplied(local, history);

  const migrations: MigrationStatus[] = [];
  for (const m of local) {
    const h = byName.get(m.name);
    const state = states.get(m.name);
    const partWay = state ? await partWayStatus(ctx.knex, m, state, local) : null;
    const recorded = h?.checksum ?? state?.checksum ?? null;
    migrations.push({
      name: m.name,
      state: h ? 'applied' : partWay?.state ?? 'pending',
      appliedAt: h?.appliedAt ?? null,
      batch: h?.batch ?? null,
      changed: changed.includes(m.name),
      earlierRevision: recorded !== null && revisionOf(m, recorded) === 'earlier',
      partWay,
      // An applied migration has no backfill left: a row its run could not clear is not shown.
      steering: h ? null : steered.get(m.name) ?? null,
    });
  }
  for (const name of unknown) {
    const h = byName.get(name)!;
    migrations.push({ name, state: 'unknown', appliedAt: h.appliedAt, batch: h.batch, changed: false, earlierRevision: false, partWay: null, steering: null });
  }
  const count = (s: MigrationState) => migrations.filter((m) => m.state === s).length;
  return {
    migrations,
    applied: count('applied'),
    pending: count('pending'),
    partWay: migrations.filter((m) => (PART_WAY_STATES as readonly string[]).includes(m.state)).map((m) => m.name),
    changed,
    planChanged: migrations.filter((m) => m.partWay?.planChanged).map((m) => m.name),
    unknown,
    // Shown, not judged: a list `check` or `up` would refuse as malformed does not stop `status`.
    accepted: await loadMigrations(local.filter((m) => !byName.has(m.name) && !states.has(m.name))).then(acceptedBy).catch(() => []),
    order: orderProblems(local, history),
    knexLocked: await knexLockSet(ctx.knex),
  };
}

async function partWayStatus(knex: Knex, migration: LocalMigration, state: PhaseState, local: LocalMigration[]): Promise<PartWayStatus> {
  const { steps, expandedAt, plan } = await loadMigration(migration);
  const { stepsDone } = startingPosition({ state, direction: 'up', steps });
  const drops = contractDropsIn(DEFAULT_SNAPSHOTS_DIR, local.map((m) => m.name), migration.name);
  const evidence = stepsDone <= expandedAt ? await gatherEvidence(knex, migration.name, drops) : undefined;
  // What `up` or `complete` does next: a step that acts only going down (an operation's refill) is passed over.
  const next = steps.slice(stepsDone).find((step) => actsGoing(step, 'up'));
  const inBatch = state.cursor !== null ? steps[state.direction === 'up' ? state.stepsDone : state.stepsDone - 1] : undefined;
  const estimate = inBatch && isBatched(inBatch) ? await inBatch.batch.estimateRows?.(knex).catch(() => undefined) : undefined;
  return {
    state: partWayState(steps, state.stepsDone),
    stepsDone: state.stepsDone,
    steps: steps.length,
    phase: next?.phase ?? 'contract',
    nextStep: next?.name ?? null,
    expanded: state.stepsDone >= expandedAt,
    held: state.held,
    planChanged: state.plan !== null && state.plan !== plan,
    direction: state.direction,
    backfill: inBatch ? { step: inBatch.name, rowsDone: state.rowsDone, estimatedRows: estimate ?? null } : null,
    drain: evidence ? { writes: evidence.writes, reads: evidence.reads, notSeen: blindSpots(evidence).filter((s) => !s.startsWith('sessions')) } : null,
    updatedAt: state.updatedAt,
  };
}
