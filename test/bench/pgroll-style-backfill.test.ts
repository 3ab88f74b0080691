/** The pgroll-style contender's pause after a lock timeout (bench/pgroll-style-backfill.ts): pgroll's backoff, from a fake random source. */
import { expect, it } from 'vitest';
import { pgrollBackoffMs } from '../../bench/pgroll-style-backfill';

it('pauses a random time below 1 s, then below 2 s, 4 s, ..., never above 1 min (full jitter)', () => {
  const highest = (attempt: number) => pgrollBackoffMs(attempt, () => 0.999_999);
  expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map(highest)).toEqual([999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999, 59_999]);
  expect(pgrollBackoffMs(3, () => 0)).toBe(0);
  expect(pgrollBackoffMs(3, () => 0.5)).toBe(4_000);
});
