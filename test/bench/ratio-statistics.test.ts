/**
 * The drain recorder's cost judged over many A B B A rounds: the ratio of p99s
 * per round, their median, the pooled ratio and a bootstrap interval whose
 * verdict says met, not met, or "cannot tell" when the noise spans the target.
 */
import { expect, it } from 'vitest';
import { summarizeRatios, type RoundLatencies } from '../../bench/drain/ratio-statistics';

/** 200 latencies of one side in one round: 1..200 ms times a factor (p99: the 198th). */
const side = (factor: number) => Array.from({ length: 200 }, (_, i) => (i + 1) * factor);
const rounds = (factors: Array<[number, number]>): RoundLatencies[] => factors.map(([withF, withoutF]) => ({ recording: side(withF), without: side(withoutF) }));

it('finds no cost where both sides are alike, and calls it met', () => {
  const summary = summarizeRatios(rounds(Array.from({ length: 8 }, () => [1, 1] as [number, number])), 1.05);
  expect(summary).toMatchObject({ median: 1, pooled: 1, interval: [1, 1], metRounds: 8, verdict: 'met' });
});

it('calls a steady 20 % cost not met, every round over the target', () => {
  const summary = summarizeRatios(rounds(Array.from({ length: 8 }, () => [1.2, 1] as [number, number])), 1.05);
  expect(summary.median).toBeCloseTo(1.2);
  expect(summary.interval[0]).toBeGreaterThan(1.05);
  expect([summary.metRounds, summary.verdict]).toEqual([0, 'not met']);
});

it('calls a side with the recorder that is much faster biased: no cost makes that, so the sides differ by something else', () => {
  const summary = summarizeRatios(rounds(Array.from({ length: 8 }, () => [0.8, 1] as [number, number])), 1.05);
  expect(summary.verdict).toBe('biased');
});

it('says it cannot tell when the rounds scatter across the target, and reports their spread and median', () => {
  const summary = summarizeRatios(rounds([[1.3, 1], [0.8, 1], [1, 1.2], [1.1, 1], [1, 1], [0.9, 1]]), 1.05);
  expect(summary.perRound.map((r) => Number(r.toFixed(3)))).toEqual([1.3, 0.8, 0.833, 1.1, 1, 0.9]);
  expect([summary.min, summary.max, summary.median].map((v) => Number(v.toFixed(3)))).toEqual([0.8, 1.3, 0.95]);
  expect(summary.interval[0]).toBeLessThan(1.05);
  expect(summary.interval[1]).toBeGreaterThan(1.05);
  expect([summary.metRounds, summary.verdict]).toEqual([4, 'cannot tell']);
  // Seeded: the same data gives the same interval.
  expect(summarizeRatios(rounds([[1.3, 1], [0.8, 1], [1, 1.2], [1.1, 1], [1, 1], [0.9, 1]]), 1.05).interval).toEqual(summary.interval);
});
