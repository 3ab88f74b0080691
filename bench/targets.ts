/**
 * The performance targets of issue 5, checked against measured medians. They
 * are reported, never asserted: a missed target is a finding to explain.
 */
import type { BenchResult } from './benchmark';
import type { Direction } from './contenders';
import type { SizeResult } from './migration-bench';

export const SPEED_UP_TARGET = 15;
export const GROWTH_TARGET = 0.05;
export const LOCK_TARGET_MS = 1000;
export const STATUS_RATIO_TARGET = 0.6;
/** Issue 12: what konstruct-migrate adds to a bare node + pg script reading knex_migrations. */
export const STATUS_BARE_RATIO_TARGET = 1.3;

export interface TargetCheck {
  what: string;
  met: boolean;
}

export const growth = (before: number, after: number) => (after - before) / before;

export function headline(result: BenchResult): SizeResult {
  const size = result.sizes.find((s) => s.rows === result.options.rows);
  if (!size) throw new Error(`no measurement at ${result.options.rows} rows`);
  return size;
}

export function directionChecks(size: SizeResult, direction: Direction) {
  const { ours, seed } = size.summary[direction];
  return {
    speed: seed.wallMs / ours.wallMs >= SPEED_UP_TARGET,
    totalGrowth: growth(ours.before.total, ours.after.total) <= GROWTH_TARGET,
    heapGrowth: growth(ours.before.heap, ours.after.heap) <= GROWTH_TARGET,
    lock: ours.lockMs < LOCK_TARGET_MS,
  };
}

export const statusMet = (result: BenchResult) =>
  result.status.oursMedianMs / result.status.knexMedianMs <= STATUS_RATIO_TARGET;

/** undefined: not measured (results of runs before it was). */
export const statusBareMet = ({ status }: BenchResult) =>
  status.bareMedianMs === undefined ? undefined : status.oursMedianMs / status.bareMedianMs <= STATUS_BARE_RATIO_TARGET;

export function checkTargets(result: BenchResult): TargetCheck[] {
  const size = headline(result);
  const checks: TargetCheck[] = [];
  for (const direction of ['up', 'down'] as const) {
    const met = directionChecks(size, direction);
    checks.push(
      { what: `006 ${direction}: at least ${SPEED_UP_TARGET}x faster than the seed's statements`, met: met.speed },
      { what: `006 ${direction}: portal_users grows by at most ${GROWTH_TARGET * 100}%`, met: met.totalGrowth && met.heapGrowth },
      { what: `006 ${direction}: AccessExclusiveLock on portal_users under ${LOCK_TARGET_MS / 1000} s`, met: met.lock },
    );
  }
  checks.push({ what: `status: at most ${STATUS_RATIO_TARGET}x the stock knex CLI's time`, met: statusMet(result) });
  const bareMet = statusBareMet(result);
  if (bareMet !== undefined) checks.push({ what: `status: at most ${STATUS_BARE_RATIO_TARGET}x a bare node + pg script's time`, met: bareMet });
  return checks;
}
