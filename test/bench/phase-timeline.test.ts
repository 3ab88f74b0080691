/** Phases on the clock, from the phase-row versions a run wrote: exact ends, missed versions, and no phases at all. */
import { expect, it } from 'vitest';
import { phaseTimeline } from '../../bench/phase-timeline';

const steps = [{ phase: 'expand' }, { phase: 'backfill' }, { phase: 'contract' }, { phase: 'contract' }] as const;
const v = (stepsDone: number, cursor: string | null, committedAt: number) => ({ stepsDone, cursor, committedAt, exact: true });

it('ends each phase going up at the commit of the version that finished its last step', () => {
  // Started at t = 100 s; expand committed at 100.5, two backfill batches, contract's first step, exit after 3 s.
  const spans = phaseTimeline({ steps: [...steps], direction: 'up', startedAt: 100, endMs: 3000, versions: [v(1, null, 100.5), v(1, '(9,0)', 101), v(2, null, 102), v(3, null, 102.5)] });
  expect(spans).toEqual([
    { phase: 'expand', from: 0, to: 500, exact: true },
    { phase: 'backfill', from: 500, to: 2000, exact: true },
    { phase: 'contract', from: 2000, to: 3000, exact: true },
  ]);
});

it('marks an end as an upper bound when the version that finished the phase was missed', () => {
  // The version with steps_done = 1 (expand's commit) was replaced before a sample saw it.
  const spans = phaseTimeline({ steps: [...steps], direction: 'up', startedAt: 100, endMs: 3000, versions: [v(1, '(9,0)', 101), v(2, null, 102)] });
  expect(spans[0]).toEqual({ phase: 'expand', from: 0, to: 1000, exact: false });
  expect(spans[1]).toEqual({ phase: 'backfill', from: 1000, to: 2000, exact: true });
});

it('goes through the phases in reverse going down', () => {
  const spans = phaseTimeline({ steps: [...steps], direction: 'down', startedAt: 100, endMs: 2000, versions: [v(3, null, 100.25), v(2, null, 100.5), v(2, '(5,0)', 100.75), v(1, null, 101)] });
  expect(spans.map((s) => [s.phase, s.from, s.to, s.exact])).toEqual([
    ['contract', 0, 500, true],
    ['backfill', 500, 1000, true],
    ['expand', 1000, 2000, true],
  ]);
});

it('makes one span of a migration without phases', () => {
  expect(phaseTimeline({ steps: [], direction: 'up', startedAt: 100, endMs: 1234, versions: [] })).toEqual([{ phase: 'migration', from: 0, to: 1234, exact: true }]);
});
