/**
 * What `up`, `down` and `complete` report while they run, so a caller can show
 * each migration as it starts and finishes (the CLI prints lines and a spinner;
 * a library user may log them). Results are still returned as data at the end.
 * A phased migration also reports each of its steps, and each backfill batch;
 * an operator steering its backfill (`steer`) shows as `paused`, `resumed` and `batch-time`.
 */
import type { SteeredBy } from '../history/steering-table';
import type { PhaseName } from '../phased/phased-migration';
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
    };

export type StepListener = (event: StepEvent) => void;
