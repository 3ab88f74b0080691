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
 *
 * Each batch is measured on a ticket of its own, and tickets end in the order
 * the batches commit, each moving the size once by the rule above. Where the
 * next batch works while the one ahead of it commits (run-batches.ts), two
 * tickets are open at once, and `lag: 1` sizes batch n from the batches before
 * n - 1 only, whether or not n - 1 happened to end already: the sizes are then
 * the rule's, one batch late, and the same from run to run.
 */
export const START_ROWS = 1_000;
export const MIN_ROWS = 100;
export const GROW = 1.1;
export const SHRINK = 0.8;

export interface BatchSizer {
  /** The next batch: its rows, and its clock started. */
  begin(): BatchTicket;
  /** The target batch time in ms (undefined: a fixed size). */
  readonly targetMs?: number;
  /** A new target batch time (an operator steering a running backfill); a fixed size ignores it. */
  retarget(targetMs: number): void;
}

export interface BatchTicket {
  readonly rows: number;
  /** Starts the clock again: an attempt after a lock timeout runs with the same rows. */
  restart(): void;
  /** The batch committed: measures it, from its last start, and adjusts the size. */
  end(): void;
  /** The batch was rolled back and is begun again: it is not counted. */
  abandon(): void;
}

export function adaptiveBatchSizer(o: { targetMs: number; cap: number; now: () => number; lag?: 0 | 1 }): BatchSizer {
  const floor = Math.min(MIN_ROWS, o.cap);
  const lag = o.lag ?? 0;
  // The size once `ended` batches ended, and once one fewer had: batch n is sized from n - lag of them.
  let size = Math.min(START_ROWS, o.cap);
  let sizeBefore = size;
  let ended = 0;
  let begun = 0;
  let targetMs = o.targetMs;
  return {
    get targetMs() {
      return targetMs;
    },
    retarget: (ms) => {
      targetMs = ms;
    },
    begin: () => {
      const rows = begun++ - lag < ended ? sizeBefore : size;
      let started = o.now();
      return {
        rows,
        restart: () => {
          started = o.now();
        },
        end: () => {
          sizeBefore = size;
          size = nextSize(size, o.now() - started, targetMs, floor, o.cap);
          ended++;
        },
        abandon: () => {
          begun--;
        },
      };
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
  return { begin: () => ({ rows: size, restart: () => {}, end: () => {}, abandon: () => {} }), retarget: () => {} };
}
