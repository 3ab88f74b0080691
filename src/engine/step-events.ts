/**
 * What `up`, `down` and `complete` report while they run, so a caller can show
 * each migration as it starts and finishes (the CLI prints lines and a spinner;
 * a library user may log them). Results are still returned as data at the end.
 * A phased migration also reports each of its steps, and each backfill batch;
 * an operator steering its backfill (`steer`) shows as `paused`, `resumed` and `batch-time`.
 */
import type { ForcedCheckpoints } from '../db/checkpoint-counter';
import type { SteeredBy } from '../history/steering-table';
import type { PhaseName } from '../phased/phased-migration';
import type { ThrottleReason } from './health-verdict';
import type { Direction, StepResult } from './step-result';

export type StepEvent =
  | { type: 'started'; name: string; direction: Direction }
  | { type: 'finished'; step: StepResult }
  | {
      type: 'phase-finished';
      name: string;
      step: string;
      phase: PhaseName;
      direction: Direction;
      ms: number;
      attempts: number;
      /** A batched step: the batches and rows this run did (a resumed step counts only its own). */
      batches?: number;
      rows?: number;
    }
  | {
      type: 'progress';
      name: string;
      step: string;
      phase: PhaseName;
      direction: Direction;
      /** Rows the step's batches covered so far, across runs. */
      rowsDone: number;
      /** The step's estimate of all the rows it will cover, if it gives one. */
      estimatedRows?: number;
      /** Rows covered by this run, in `ms` milliseconds (for the rate). */
      rowsThisRun: number;
      ms: number;
    }
  | {
      /** An operator paused the backfill (`steer --pause`): it waits before its next batch, holding no lock and no transaction. */
      type: 'paused';
      name: string;
      step: string;
      by: SteeredBy;
      at: Date;
      reason: string | null;
    }
  | {
      /** The pause was lifted (`steer --resume`): the next batch starts. */
      type: 'resumed';
      name: string;
      step: string;
      /** user@host of the `steer` that resumed it; null when its row was gone. */
      by: string | null;
      /** How long this run waited. */
      pausedMs: number;
    }
  | {
      /** An operator set a new target batch time (`steer --batch-time`): the batch size adapts to it from the next batch on. */
      type: 'batch-time';
      name: string;
      step: string;
      batchTimeMs: number;
      previousMs: number;
      by: string;
    }
  | {
      /** `complete --wait`: the old application version is still seen; the contract waits. */
      type: 'draining';
      /** Each sign of the old version inside the drain window, newest first. */
      signs: string[];
      /** When the newest sign leaves the window (null: a session, which must end first). */
      clearsInSeconds: number | null;
      waitedMs: number;
    }
  | ({
      /**
       * The health throttle holds the next backfill batch (health-throttle.ts): when the hold starts
       * (waitedMs 0), then at each look while it lasts. Nothing is committed, locked or open meanwhile.
       */
      type: 'throttled';
    } & ThrottleHold)
  | ({
      /** The hold is over and the next batch starts: `detail` is the last reason seen, `waitedMs` the whole hold. */
      type: 'unthrottled';
    } & ThrottleHold)
  | ({
      /** A backfill step ended after the server had run checkpoints on request while it ran (db/checkpoint-counter.ts). */
      type: 'checkpoints';
      name: string;
      step: string;
    } & ForcedCheckpoints)
  | {
      /** Once per run and reason: the throttle cannot see it (privileges), so it does not throttle on it. */
      type: 'health-unseen';
      reason: ThrottleReason;
      detail: string;
    };

/** A backfill held by the health throttle: which one, why, and for how long so far. */
export interface ThrottleHold {
  name: string;
  step: string;
  reason: ThrottleReason;
  /** Why, for people: which replica and its lag, or the archive backlog, with the limit. */
  detail: string;
  waitedMs: number;
}

export type StepListener = (event: StepEvent) => void;
