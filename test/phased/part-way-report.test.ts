/**
 * What a failing phased run says stands committed (pure: no database). The
 * end-to-end cases are in part-way-failure.test.ts; these cover the directions.
 */
import { describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../src/errors';
import type { PhasedStep } from '../../src/phased/phased-migration';
import { describeStanding, tellWhatStands } from '../../src/engine/part-way-report';

const tx = (phase: PhasedStep['phase'], name: string): PhasedStep => ({ phase, name, up: async () => {}, down: async () => {} });
const STEPS = [tx('expand', 'add'), { phase: 'backfill', name: 'fill', batch: { down: async () => ({ next: null, rows: 0 }) } } as PhasedStep, tx('contract', 'drop')];
const CARRY_ON = 'Run the command again to carry on from there (`konstruct-migrate status` shows where it stands).';

describe('what stands after a part-way failure', () => {
  it('going down, inside a batched step: the steps still applied and how far that step was reverted', () => {
    expect(describeStanding({ migration: { name: 'm' }, steps: STEPS, direction: 'down' }, { stepsDone: 2, cursor: '40', rowsDone: 40 })).toBe(
      `m stands part-way (down), committed and kept: 2 of 3 steps applied (last: backfill "fill"), backfill "fill" reverted up to cursor 40 (40 rows). ${CARRY_ON}`,
    );
  });

  it('leaves the error alone when nothing of the migration is committed, either way', () => {
    const error = new LockTimeoutError('could not get a lock', 'Run again.');
    tellWhatStands(error, { migration: { name: 'm' }, steps: STEPS, direction: 'up' }, { stepsDone: 0, cursor: null, rowsDone: 0 });
    tellWhatStands(error, { migration: { name: 'm' }, steps: STEPS, direction: 'down' }, { stepsDone: 3, cursor: null, rowsDone: 0 });
    expect(error.hint).toBe('Run again.');
  });

  it('puts what stands before the error\'s own advice', () => {
    const error = new LockTimeoutError('could not get a lock', 'Run again.');
    tellWhatStands(error, { migration: { name: 'm' }, steps: STEPS, direction: 'up' }, { stepsDone: 1, cursor: null, rowsDone: 0 });
    expect(error.hint).toBe(`m stands part-way (up), committed and kept: 1 of 3 steps applied (last: expand "add"). ${CARRY_ON} Run again.`);
  });
});
