/**
 * The line a signal prints, from the step events a run reported (src/cli/interrupt-report.ts): a run stopped while it
 * waited between two batches ran nothing to roll back, and says so (found by review: it said "what was running was
 * rolled back" while paused or held).
 */
import { expect, it } from 'vitest';
import { interruptLine, noteStepForInterrupt } from '../../src/cli/interrupt-report';

const by = { os: 'ops@host', role: 'deploy', application: 'psql', client: 'local socket' };
const started = () => noteStepForInterrupt({ type: 'started', name: '002_fill', direction: 'up' });
const batch = () =>
  noteStepForInterrupt({ type: 'progress', name: '002_fill', step: 'fill n', phase: 'backfill', direction: 'up', rowsDone: 2_000, rowsThisRun: 2_000, ms: 10 });
const carryOn = 'konstruct-migrate up';

it('says what was running was rolled back when a batch was', () => {
  started();
  batch();
  expect(interruptLine('SIGTERM', carryOn)).toContain('stands part-way after "fill n" covered 2,000 rows (what was running was rolled back).');
});

it('says nothing was running while paused, and that it stays paused', () => {
  started();
  batch();
  noteStepForInterrupt({ type: 'paused', name: '002_fill', step: 'fill n', by, at: new Date(), reason: null });
  const line = interruptLine('SIGINT', carryOn);
  expect(line).toContain('covered 2,000 rows (paused between two batches: nothing was running).');
  expect(line).toContain('It stays paused: `konstruct-migrate steer --resume` lets the next run carry on.');
});

it('says nothing was running while the health throttle held it, and what ran after a hold ended was', () => {
  started();
  batch();
  const hold = { name: '002_fill', step: 'fill n', reason: 'replica-lag' as const, detail: 'replica lag', waitedMs: 0 };
  noteStepForInterrupt({ type: 'throttled', ...hold });
  expect(interruptLine('SIGTERM', carryOn)).toContain('(held by the health throttle between two batches: nothing was running)');
  noteStepForInterrupt({ type: 'unthrottled', ...hold, waitedMs: 500 });
  expect(interruptLine('SIGTERM', carryOn)).toContain('(what was running was rolled back)');
});
