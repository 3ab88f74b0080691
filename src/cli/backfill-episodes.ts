/**
 * What the --json document of `up`, `complete` and `down` says of the
 * backfills beside the migrations: each time the health throttle held one
 * (engine/health-throttle.ts), as `throttled`, and each step whose WAL forced
 * checkpoints (db/checkpoint-counter.ts), as `checkpoints`; each key absent
 * when there is none. Live events are not in the document (one document per
 * run, at its end): on stderr, a line when a hold starts and one when it ends,
 * and a note after such a step.
 */
import type { ForcedCheckpoints } from '../db/checkpoint-counter';
import type { ThrottleReason } from '../engine/health-verdict';
import type { StepEvent, StepListener } from '../engine/step-events';

export interface ThrottleEpisode {
  migration: string;
  step: string;
  reason: ThrottleReason;
  /** The last reason seen while held. */
  detail: string;
  waitedMs: number;
}

export interface CheckpointEpisode extends ForcedCheckpoints {
  migration: string;
  step: string;
}

export function backfillEpisodes() {
  const throttled: ThrottleEpisode[] = [];
  const checkpoints: CheckpointEpisode[] = [];
  return {
    /** Passes every event on to `onStep`, noting each hold that ended and each step that forced checkpoints. */
    listen(onStep: StepListener): StepListener {
      return (event: StepEvent) => {
        if (event.type === 'unthrottled') throttled.push({ migration: event.name, step: event.step, reason: event.reason, detail: event.detail, waitedMs: event.waitedMs });
        if (event.type === 'checkpoints') checkpoints.push({ migration: event.name, step: event.step, requested: event.requested, walBytes: event.walBytes, maxWalSize: event.maxWalSize });
        onStep(event);
      };
    },
    /** `document` with `throttled: [...]` and `checkpoints: [...]` where there are any. */
    addTo(document: object): object {
      return { ...document, ...(throttled.length > 0 ? { throttled } : {}), ...(checkpoints.length > 0 ? { checkpoints } : {}) };
    },
  };
}
