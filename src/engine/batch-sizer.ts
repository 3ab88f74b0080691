/**
 * How many rows the next backfill batch covers: the size follows a target
 * batch time (--batch-time), GitLab-style. It starts small whatever the table
 * (START_ROWS, or --batch-size if that is smaller), and after each batch:
 *   took more than 95 % of the target  -> the next batch is 20 % smaller;
 *   took less than 90 % of the target  -> the next batch is 10 % larger;
 *   in between                         -> unchanged;
 * never above --batch-size (the cap) and never below MIN_ROWS (or the cap, if
 * smaller). Shrinking faster than growing keeps a batch that slowed down (the
 * table got busy, the rows got wider) from holding row locks long. Pure: the
 * caller tells it how long each batch took, read from `now` (a fake clock in
 * its test), and it asks the database nothing.
 */
export const START_ROWS = 1_000;
export const MIN_ROWS = 100;
export const GROW = 1.1;
export const SHRINK = 0.8;

export interface BatchSizer {
  /** Rows for the next batch; starts its clock. */
  next(): number;
  /** The batch `next` sized is done: measures it and adjusts the size. */
  done(): void;
  /** The target batch time in ms (undefined: a fixed size). */
  readonly targetMs?: number;
  /** A new target batch time (an operator steering a running backfill); a fixed size ignores it. */
  retarget(targetMs: number): void;
}

export function adaptiveBatchSizer(o: { targetMs: number; cap: number; now: () => number }): BatchSizer {
  const floor = Math.min(MIN_ROWS, o.cap);
  let size = Math.min(START_ROWS, o.cap);
  let started = 0;
  let targetMs = o.targetMs;
  return {
    get targetMs() {
      return targetMs;
    },
    retarget: (ms) => {
      targetMs = ms;
    },
    next: () => {
      started = o.now();
      return size;
    },
    done: () => {
      size = nextSize(size, o.now() - started, targetMs, floor, o.cap);
    },
  };
}

/** The rule above, on its own. */
export function nextSize(size: number, tookMs: number, targetMs: number, floor: number, cap: number): number {
  const scaled = tookMs > 0.95 * targetMs ? size * SHRINK : tookMs < 0.9 * targetMs ? size * GROW : size;
  return Math.max(floor, Math.min(cap, Math.round(scaled)));
}

/** A fixed size (dry runs, the stock knex CLI): every batch the given one. */
export function fixedBatchSizer(size: number): BatchSizer {
  return { next: () => size, done: () => {}, retarget: () => {} };
}
