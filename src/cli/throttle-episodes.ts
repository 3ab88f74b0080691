/**
 * The --json document of `up`, `complete` and `down` lists each time the
 * health throttle held a backfill (engine/health-throttle.ts), as `throttled`
 * beside the migrations; absent when it never did. Its live events are not in
 * the document (one document per run, at its end): on stderr, a line when a
 * hold starts and one when it ends.
 */
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

export function throttleEpisodes() {
  const episodes: ThrottleEpisode[] = [];
  return {
    /** Passes every event on to `onStep`, noting each hold that ended. */
    listen(onStep: StepListener): StepListener {
      return (event: StepEvent) => {
        if (event.type === 'unthrottled') episodes.push({ migration: event.name, step: event.step, reason: event.reason, detail: event.detail, waitedMs: event.waitedMs });
        onStep(event);
      };
    },
    /** `document` with `throttled: [...]` when the throttle held anything. */
    addTo(document: object): object {
      return episodes.length > 0 ? { ...document, throttled: episodes } : document;
    },
  };
}
