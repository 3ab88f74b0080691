/**
 * The drain recorder's cost judged over many crossed rounds: the ratio
 * of p99s per round, their median, the pooled ratio and a bootstrap interval
 * whose verdict says met, not met, or "cannot tell" when the noise spans the
 * target; a difference between the two copies cancels in the pooled ratio and
 * its interval, and is reported as the copy effect.
 */
import { expect, it } from 'vitest';
import type { Copy } from '../../bench/drain/crossed-rounds';
import { summarizeCopyEffect, summarizeRatios, type RoundLatencies } from '../../bench/drain/ratio-statistics';

/** 200 latencies of one side in one round: 1..200 ms times a factor (p99: the 198th). */
const side = (factor: number) => Array.from({ length: 200 }, (_, i) => (i + 1) * factor);
const carrierOf = (i: number): Copy => (i % 2 === 0 ? 'x' : 'y');
const rounds = (factors: Array<[number, number]>): RoundLatencies[] => factors.map(([withF, withoutF], i) => ({ carrier: carrierOf(i), recording: side(withF), without: side(withoutF) }));

/** Copy x `copyFactor` times slower than y, the recorder `recorderFactor`: each round loads the carrier with the recorder and the other copy without. */
function crossed(n: number, copyFactor: number, recorderFactor: number): RoundLatencies[] {
  const copy = (c: Copy) => (c === 'x' ? copyFactor : 1);
  return Array.from({ length: n }, (_, i) => {
    const carrier = carrierOf(i);
    return { carrier, recording: side(copy(carrier) * recorderFactor), without: side(copy(carrier === 'x' ? 'y' : 'x')) };
  });
}

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

it('cancels a copy that is 20 % slower: no recorder cost, the pooled ratio and every draw of its interval exactly 1', () => {
  const rs = crossed(8, 1.2, 1);
  // Each round alone sees the copy: 1.2x when x carries the recorder, 1 / 1.2 when y does.
  expect(summarizeRatios(rs, 1.05).perRound.map((r) => Number(r.toFixed(3)))).toEqual([1.2, 0.833, 1.2, 0.833, 1.2, 0.833, 1.2, 0.833]);
  // Drawn within each carrier's rounds, every draw stays balanced (drawn from all rounds, a draw of more x rounds would read as a cost).
  expect(summarizeRatios(rs, 1.05)).toMatchObject({ pooled: 1, interval: [1, 1], verdict: 'met' });
});

it('finds a 10 % recorder cost through a 20 % copy effect, and reports the copy effect with the recorder in either state', () => {
  const rs = crossed(8, 1.2, 1.1);
  const summary = summarizeRatios(rs, 1.05);
  expect(summary.pooled).toBeCloseTo(1.1, 2);
  expect(summary.verdict).toBe('not met');
  const effect = summarizeCopyEffect(rs)!;
  expect(effect.without.pooled).toBeCloseTo(1.2, 5);
  expect(effect.recording.pooled).toBeCloseTo(1.2, 5);
  expect(effect.without.interval.map((v) => Number(v.toFixed(5)))).toEqual([1.2, 1.2]);
  // What a design with one copy fixed as the carrier would have reported: 1.32x (x) or 0.92x (y).
  expect([effect.byCarrier.x, effect.byCarrier.y].map((v) => Number(v.toFixed(3)))).toEqual([1.32, 0.917]);
});

it('reports no copy effect where the rounds are not crossed (one carrier only)', () => {
  expect(summarizeCopyEffect(crossed(1, 1.2, 1))).toBeNull();
});
