/**
 * A run's phases on the clock: from the versions of the phase row the run
 * wrote (phase-clock.ts), when each phase of a phased migration ended. A
 * migration without phases (a single transaction, the seed's statements) is
 * one span, "migration".
 *
 * Going up, phase P (steps a..b-1) has ended with the first version that has
 * steps_done >= b. If the first such version seen has steps_done = b and no
 * batch cursor, it is the very transaction that finished P's last step, and the
 * end is exact; otherwise that transaction was replaced before a sample saw it,
 * and the end is known only as no later than the version seen. Going down it
 * is the mirror (steps_done <= a). The last phase ends with the run's last
 * transaction, which deletes the row: the end of the run.
 */
import type { PhaseRowVersion } from './phase-clock';

export type PhaseName = 'expand' | 'backfill' | 'contract';
export type SpanName = PhaseName | 'migration';

export interface PhaseSpan {
  phase: SpanName;
  /** Milliseconds from the start of the run. */
  from: number;
  to: number;
  /** False when `to` is only an upper bound (see above). */
  exact: boolean;
}

export interface TimelineInput {
  /** The migration's steps in their declared order; empty for a migration without phases. */
  steps: ReadonlyArray<{ phase: PhaseName }>;
  direction: 'up' | 'down';
  versions: PhaseRowVersion[];
  /** Epoch seconds, the same clock as the versions. */
  startedAt: number;
  /** Milliseconds from the start to the end of the run. */
  endMs: number;
}

export function phaseTimeline(input: TimelineInput): PhaseSpan[] {
  const relative = (at: number) => (at - input.startedAt) * 1000;
  const end = input.endMs;
  if (input.steps.length === 0) return [{ phase: 'migration', from: 0, to: end, exact: true }];

  const ranges = phaseRanges(input.steps);
  const ordered = input.direction === 'up' ? ranges : [...ranges].reverse();
  const spans: PhaseSpan[] = [];
  let from = 0;
  for (const [i, range] of ordered.entries()) {
    const last = i === ordered.length - 1;
    const boundary = input.direction === 'up' ? range.to : range.from;
    const ended = last ? undefined : firstBeyond(input.versions, input.direction, boundary);
    const span: PhaseSpan = ended
      ? { phase: range.phase, from, to: Math.min(relative(ended.committedAt), end), exact: ended.exact && ended.stepsDone === boundary && ended.cursor === null }
      : { phase: range.phase, from, to: end, exact: last };
    spans.push(span);
    from = span.to;
  }
  return spans;
}

/** Each phase's steps as [from, to) indexes, in declared order (expand, backfill, contract). */
function phaseRanges(steps: ReadonlyArray<{ phase: PhaseName }>): Array<{ phase: PhaseName; from: number; to: number }> {
  const ranges: Array<{ phase: PhaseName; from: number; to: number }> = [];
  steps.forEach((step, index) => {
    const current = ranges.at(-1);
    if (current?.phase === step.phase) current.to = index + 1;
    else ranges.push({ phase: step.phase, from: index, to: index + 1 });
  });
  return ranges;
}

function firstBeyond(versions: PhaseRowVersion[], direction: 'up' | 'down', boundary: number): PhaseRowVersion | undefined {
  return versions.find((v) => (direction === 'up' ? v.stepsDone >= boundary : v.stepsDone <= boundary));
}
