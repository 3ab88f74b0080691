/** The jittered backoff every retry loop uses: grows, stays within its bounds, never in lockstep. */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/db/backoff';

const policy = { initialMs: 100, maxMs: 1_000 };

/** A seeded random source (mulberry32): the same draws on every run, so a failure replays exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The un-jittered delay of retry `attempt`: initial * 2^attempt, capped. */
const ceiling = (attempt: number) => Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
const draws = (attempt: number, random: () => number, n = 2_000) => Array.from({ length: n }, () => backoffDelay(attempt, policy, random));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('backoffDelay', () => {
  it('lies in [d/2, d] for d = initial * 2^attempt, capped at max: the extremes of the random source', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(2, policy, () => 0)).toBe(200);
    expect(backoffDelay(2, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(1_000, policy, () => 0)).toBe(500);
  });

  it('on a seeded source, every delay stays within [d/2, d] and the jitter spans that whole window', () => {
    const random = seededRandom(20261201);
    for (let attempt = 0; attempt <= 8; attempt++) {
      const d = ceiling(attempt);
      const delays = draws(attempt, random);
      expect(Math.min(...delays), `attempt ${attempt}`).toBeGreaterThanOrEqual(d / 2);
      expect(Math.max(...delays), `attempt ${attempt}`).toBeLessThanOrEqual(d);
      // Spread over the window, not bunched: both ends are reached within 5% of d.
      expect(Math.min(...delays), `attempt ${attempt}`).toBeLessThan(d / 2 + d / 20);
      expect(Math.max(...delays), `attempt ${attempt}`).toBeGreaterThan(d - d / 20);
    }
  });

  it('doubles with each attempt until the cap, then holds there', () => {
    const random = seededRandom(7);
    const means = Array.from({ length: 9 }, (_, attempt) => mean(draws(attempt, random)));
    // The mean of a uniform draw from [d/2, d] is 3d/4: 75, 150, 300, 600, then 750 (capped at 1000).
    // 2,000 draws put the sample mean within 3% of it (over 6 standard errors).
    means.forEach((m, attempt) => expect(Math.abs(m / ((3 * ceiling(attempt)) / 4) - 1), `attempt ${attempt}`).toBeLessThan(0.03));
    expect(means.slice(1, 4).map((m, i) => m / means[i]!)).toEqual([expect.closeTo(2, 1), expect.closeTo(2, 1), expect.closeTo(2, 1)]);
    expect(Math.abs(means[8]! - means[5]!)).toBeLessThan(25);
  });

  it('does not overflow on a very high attempt number', () => {
    const delays = draws(1e9, seededRandom(3), 100);
    expect(delays.every((d) => Number.isInteger(d) && d >= 500 && d <= 1_000)).toBe(true);
  });

  it('spreads retries that started together: twenty callers draw twenty different delays', () => {
    const callers = Array.from({ length: 20 }, (_, i) => seededRandom(1_000 + i));
    const delays = callers.map((random) => backoffDelay(6, policy, random));
    expect(new Set(delays).size).toBeGreaterThanOrEqual(18);
  });
});
