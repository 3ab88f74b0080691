/**
 * Judging "p99 with the recorder within 5 % of p99 without it" on a noisy
 * machine (issue #23 item 3). In every round both copies take load at once,
 * the recorder on copy x in half of the rounds and on copy y in the other half
 * (crossed-rounds.ts); each round gives one ratio of p99s, and all the rounds
 * pooled give one ratio over every request, in which each copy is on each side
 * as often: a difference between the copies cancels. A bootstrap over rounds
 * (draw as many rounds as there are, with replacement, pool their requests,
 * take the ratio of p99s; 1,000 times) gives the pooled ratio's 95 % interval.
 * It draws within each carrier's rounds (stratified), so every draw keeps the
 * crossing balanced, as the run was; resampling whole rounds keeps each
 * round's two sides together, so what happened to the machine during a round,
 * which weighed on both sides at once, stays on both. The verdict is the
 * interval's: below the target (met), above it (not met), across it (the
 * noise hides a difference of that size: cannot tell), or wholly below
 * 1 / target: the side with the recorder faster by more than the target, which
 * no cost can make, so the two sides differ by something else (a bias the
 * rounds did not cancel): the comparison says nothing of the recorder then.
 */
import { percentile } from '../app-load/latency-windows';
import { median } from '../median';
import { COPIES, otherCopy, type Copy } from './crossed-rounds';

/** Latencies (ms) of one version in one round, per side. */
export interface RoundLatencies {
  /** The copy that carried the recorder in this round (the other ran without it). */
  carrier: Copy;
  recording: number[];
  without: number[];
}

export type Verdict = 'met' | 'not met' | 'cannot tell' | 'biased';

export interface RatioSummary {
  /** p99 with / without, round by round. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
  /** p99 with / without over every round's requests pooled. */
  pooled: number;
  /** 2.5th and 97.5th percentile of the pooled ratio over the bootstrap. */
  interval: [number, number];
  /** Rounds whose ratio is within the target. */
  metRounds: number;
  verdict: Verdict;
}

const RESAMPLES = 1000;

const p99 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.99);
const ratioOf = (rounds: RoundLatencies[]) => p99(rounds.flatMap((r) => r.recording)) / p99(rounds.flatMap((r) => r.without));

/** A seeded linear congruential generator (Numerical Recipes' constants): the same data gives the same interval; only its high bits are used. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** As many rounds as there are, drawn with replacement within each carrier's rounds. */
function resample(rounds: RoundLatencies[], random: () => number): RoundLatencies[] {
  return COPIES.flatMap((carrier) => {
    const stratum = rounds.filter((r) => r.carrier === carrier);
    return stratum.map(() => stratum[Math.floor(random() * stratum.length)]!);
  });
}

/** The 95 % bootstrap interval of a statistic of pooled rounds. */
function bootstrapInterval(rounds: RoundLatencies[], statistic: (rounds: RoundLatencies[]) => number): [number, number] {
  const random = seeded(rounds.length * 7919 + 1);
  const resampled = Array.from({ length: RESAMPLES }, () => statistic(resample(rounds, random))).sort((a, b) => a - b);
  return [percentile(resampled, 0.025), percentile(resampled, 0.975)];
}

export function summarizeRatios(rounds: RoundLatencies[], target: number): RatioSummary {
  const perRound = rounds.map((r) => ratioOf([r]));
  const interval = bootstrapInterval(rounds, ratioOf);
  return {
    perRound,
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    pooled: ratioOf(rounds),
    interval,
    metRounds: perRound.filter((r) => r <= target).length,
    verdict: verdictOf(interval, target),
  };
}

export function verdictOf(interval: [number, number], target: number): Verdict {
  if (interval[1] < 1 / target) return 'biased';
  return interval[1] <= target ? 'met' : interval[0] > target ? 'not met' : 'cannot tell';
}

/** A ratio of p99s over pooled rounds, and its 95 % interval. */
export interface PooledRatio {
  pooled: number;
  interval: [number, number];
}

/**
 * How much the two copies differ by themselves: the reason for crossing them.
 * `without`: p99 of copy x / p99 of copy y, both without the recorder (x in the
 * rounds y carried it, y in those x carried it); `recording`: both with it.
 * `byCarrier`: the recorder's pooled ratio over the rounds each copy carried
 * it, what a design with that copy fixed as the carrier would have reported.
 */
export interface CopyEffect {
  without: PooledRatio;
  recording: PooledRatio;
  byCarrier: Record<Copy, number>;
}

/** Null when the rounds are not crossed (one carrier only: a single round, or a result from before the crossing). */
export function summarizeCopyEffect(rounds: RoundLatencies[]): CopyEffect | null {
  if (COPIES.some((c) => !rounds.some((r) => r.carrier === c))) return null;
  const onCopy = (rs: RoundLatencies[], copy: Copy, side: 'recording' | 'without') =>
    rs.filter((r) => (side === 'recording' ? r.carrier === copy : r.carrier === otherCopy(copy))).flatMap((r) => r[side]);
  const copyRatio = (side: 'recording' | 'without') => (rs: RoundLatencies[]) => p99(onCopy(rs, 'x', side)) / p99(onCopy(rs, 'y', side));
  const pooled = (side: 'recording' | 'without'): PooledRatio => ({ pooled: copyRatio(side)(rounds), interval: bootstrapInterval(rounds, copyRatio(side)) });
  return {
    without: pooled('without'),
    recording: pooled('recording'),
    byCarrier: { x: ratioOf(rounds.filter((r) => r.carrier === 'x')), y: ratioOf(rounds.filter((r) => r.carrier === 'y')) },
  };
}
