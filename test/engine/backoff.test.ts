/** The jittered backoff every retry loop uses: grows, stays within its bounds, never in lockstep. */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/engine/backoff';

const policy = { initialMs: 100, maxMs: 1_000 };

describe('backoffDelay', () => {
  it('lies in [d/2, d] for d = initial * 2^attempt, capped at max', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(2, policy, () => 0)).toBe(200);
    expect(backoffDelay(2, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(1_000, policy, () => 0)).toBe(500);
  });

  it('spreads retries that started together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3, policy)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
