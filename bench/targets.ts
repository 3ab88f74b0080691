/**
 * The performance targets, judged run by run: each run's value, and whether
 * that run met the target. They are reported ("met in N of M runs"), never
 * asserted: a missed target is a finding to explain. A run that failed (its
 * migration failed, or it left wrong data) meets none of its targets.
 *
 * - Online (issue #11), stated at 10M rows: what the application sees while
 *   the phased `up` runs, its locks, and its time against the single transaction.
 * - Offline (issue #5), at the headline row count: `up`/`down` against the
 *   seed's statements, table growth, and `status` against the stock knex CLI
 *   and (issue #12) against a bare node + pg script reading knex_migrations.
 */
import type { BenchResult } from './benchmark';
import type { ValueKind } from './format';
import type { RunMeasurement } from './measured-run';
import type { SizeResult } from './migration-bench';
import { longestBlockingHold } from './locks-by-phase';
import { pairedRuns, runsOf, servedMaxLatency, windowOf } from './run-filters';


export interface TargetResult {
  what: string;
  /** The target in words, e.g. "≤ 250 ms". */
  target: string;
  kind: ValueKind;
  /** One value per run, in run order. */
  values: number[];
  met: boolean[];
}

export const ONLINE = {
  /** The row count the issue states its targets at. */
  atRows: 10_000_000,
  quietMaxMs: 250,
  openTransactionMaxMs: 1000,
  phasesOverSingle: 2,
  blockingHoldMs: 100,
};

export const OFFLINE = {
  speedUp: 15,
  growth: 0.05,
  lockMs: 1000,
  statusRatio: 0.6,
  /** Issue #12: what konstruct-migrate adds to a bare node + pg script reading knex_migrations. */
  statusBareRatio: 1.3,
};

export const growth = (before: number, after: number) => (after - before) / before;

/** One value per run; a run that failed (`ok` false) meets no target. */
export function target<R extends { ok: boolean }>(what: string, targetText: string, kind: ValueKind, runs: R[], value: (r: R) => number, ok: (v: number) => boolean): TargetResult {
  const values = runs.map(value);
  return { what, target: targetText, kind, values, met: runs.map((r, i) => r.ok && ok(values[i]!)) };
}

/** Issue #11's targets for one row count; empty when 006 ran without phases. */
export function onlineTargets(size: SizeResult): TargetResult[] {
  const quiet = runsOf(size, 'ours', 'up', 'quiet');
  const open = runsOf(size, 'ours', 'up', 'open-transaction');
  const both = [...quiet, ...open];
  if (!both.some((r) => r.phases.some((p) => p.phase === 'contract'))) return [];
  const errors = (r: RunMeasurement, window: string, version: 'old' | 'new') => windowOf(r, window)?.versions[version].errors ?? 0;
  const ratios = pairedRuns(quiet, runsOf(size, 'single', 'up', 'quiet'));
  return [
    target('application max latency during `up` (served versions), quiet table', `≤ ${ONLINE.quietMaxMs} ms`, 'ms', quiet, servedMaxLatency, (v) => v <= ONLINE.quietMaxMs),
    target(
      `application max latency during \`up\` (served versions), with a ${secondsOf(open)} s open application transaction`,
      `≤ ${ONLINE.openTransactionMaxMs / 1000} s`,
      'ms',
      open,
      servedMaxLatency,
      (v) => v <= ONLINE.openTransactionMaxMs,
    ),
    target(
      'errors from the start of expand to the start of contract (old version; new version once expand has committed)',
      '0',
      'count',
      both,
      (r) => errors(r, 'start of expand to start of contract', 'old') + errors(r, 'backfill', 'new'),
      (v) => v === 0,
    ),
    target('new version: errors from the end of expand on', '0', 'count', both, (r) => errors(r, 'from the end of expand on', 'new'), (v) => v === 0),
    {
      what: 'all phases end to end / single-transaction 006 (`up`, quiet table, same round)',
      target: `≤ ${ONLINE.phasesOverSingle}x`,
      kind: 'times',
      values: ratios.map(([ours, single]) => ours.wallMs / single.wallMs),
      met: ratios.map(([ours, single]) => ours.ok && single.ok && ours.wallMs / single.wallMs <= ONLINE.phasesOverSingle),
    },
    target(
      'longest hold of a lock that stops reads or writes on portal_users (any phase)',
      `≤ ${ONLINE.blockingHoldMs} ms`,
      'ms',
      both,
      (r) => longestBlockingHold(r.locks)?.longestMs ?? 0,
      (v) => v <= ONLINE.blockingHoldMs,
    ),
    target('`up` with default flags succeeds despite the open transaction', 'yes', 'yes/no', open, (r) => (r.ok ? 1 : 0), (v) => v === 1),
  ];
}

const secondsOf = (runs: RunMeasurement[]) => {
  const ms = runs.find((r) => r.app?.openTransaction)?.app?.openTransaction?.ms;
  return ms === undefined ? '?' : Math.round(ms / 1000);
};

/** The size the offline comparison is made at; undefined in partial results written before it was measured. */
export function headline(result: BenchResult): SizeResult | undefined {
  return result.sizes.find((s) => s.rows === result.options.rows);
}

/** Issue #5's targets at the headline row count. */
export function offlineTargets(result: BenchResult): TargetResult[] {
  const size = headline(result);
  if (!size) return [];
  const checks: TargetResult[] = [];
  for (const [direction, scenario] of [['up', 'quiet'], ['down', 'idle']] as const) {
    const ours = runsOf(size, 'ours', direction, scenario);
    const pairs = pairedRuns(ours, runsOf(size, 'seed', direction, scenario));
    checks.push(
      {
        what: `006 ${direction}: speed-up over the seed's statements (same round)`,
        target: `≥ ${OFFLINE.speedUp}x`,
        kind: 'times',
        values: pairs.map(([o, s]) => s.wallMs / o.wallMs),
        met: pairs.map(([o, s]) => o.ok && s.ok && s.wallMs / o.wallMs >= OFFLINE.speedUp),
      },
      target(
        `006 ${direction}: growth of portal_users (the larger of total and heap)`,
        `≤ +${OFFLINE.growth * 100}%`,
        'percent',
        ours,
        (r) => 100 * Math.max(growth(r.before.total, r.after.total), growth(r.before.heap, r.after.heap)),
        (v) => v <= OFFLINE.growth * 100,
      ),
      target(`006 ${direction}: longest AccessExclusiveLock on portal_users`, `< ${OFFLINE.lockMs / 1000} s`, 'ms', ours, (r) => r.lock.ms, (v) => v < OFFLINE.lockMs),
    );
  }
  checks.push(statusTarget(result.status.oursMs, result.status.knexMs, 'stock `knex migrate:status`', OFFLINE.statusRatio));
  // Absent from results written before the bare script was measured.
  const bareMs = result.status.bareMs;
  if (bareMs) checks.push(statusTarget(result.status.oursMs, bareMs, 'bare `node` + `pg` script', OFFLINE.statusBareRatio));
  return checks;
}

/** `status` against a reference, one ratio per round (both were timed in the same round). */
function statusTarget(oursMs: number[], referenceMs: number[], reference: string, maxRatio: number): TargetResult {
  const ratios = oursMs.map((ms, i) => ms / referenceMs[i]!);
  return {
    what: `\`status\`: konstruct-migrate / ${reference} (same round)`,
    target: `≤ ${maxRatio}x`,
    kind: 'times',
    values: ratios,
    met: ratios.map((r) => r <= maxRatio),
  };
}

export const metCount = (t: TargetResult) => t.met.filter(Boolean).length;
export const alwaysMet = (t: TargetResult) => t.values.length > 0 && metCount(t) === t.values.length;
