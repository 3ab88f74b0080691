/**
 * Where the backfill's latency comes from (issue #22 item 2): under the same
 * two-version load, round after round, the backfill's floor (the unbatched
 * UPDATE, floor-under-load.ts) and the new engine's `up` in variants: the
 * default flags, other `--batch-time` targets, and every batch but a step's last
 * committed asynchronously (KONSTRUCT_BENCH_ASYNC_BATCHES, src/engine/batch-commit-mode.ts).
 * Each round runs them all in a rotated order, so a drift of a shared machine
 * weighs on each. For each run, in the backfill's window (the floor's UPDATE):
 * the application's p99 and max (all requests, and reads alone), and what the
 * machine did meanwhile (resource-sampler.ts): WAL, full-page images,
 * checkpoints, CPU of the server, the load generator and the CLI.
 */
import type { TimeWindow } from '../app-load/latency-windows';
import type { RequestRecord } from '../app-load/load-generator';
import { measureRun, type RunContext } from '../measured-run';
import { ASYNC_BATCHES_VARIABLE } from '../../src/engine/batch-commit-mode';
import { RUN_DEFAULTS } from '../../src/engine/run-defaults';
import { floorUnderLoad } from './floor-under-load';
import { between, watchResources, type ResourceSample, type ResourceWindow } from './resource-sampler';
import { windowLatency, type WindowLatency } from './window-latency';

export interface Variant {
  name: string;
  /** null: the floor; otherwise the new engine's `up` with these flags and environment. */
  engine: { args: string[]; env: Record<string, string> } | null;
}

export interface SweepRun {
  variant: string;
  round: number;
  failure: string | null;
  /** The backfill phase (the floor: its UPDATE), and `up` end to end (the floor: the UPDATE). */
  backfillMs: number;
  wallMs: number;
  latency: WindowLatency | null;
  resources: ResourceWindow | null;
  /**
   * The backfill's batches as the lock watch saw them (RowExclusiveLock holds on portal_users, every
   * lockSampleMs): how many (two batches a sample did not tell apart count as one) and the longest.
   * Absent for the floor and from results written before it.
   */
  batches?: { seen: number; longestMs: number };
}

export interface SweepResult {
  /** The command line that measured it. */
  command: string;
  rows: number;
  rounds: number;
  loadAverage: { start: number; end: number };
  /** The server, and the settings that shape the WAL and the checkpoints (absent in results from before they were recorded). */
  server?: { description: string; settings: Record<string, string> };
  variants: Variant[];
  runs: SweepRun[];
}

export const FLOOR = 'floor: one unbatched UPDATE';

/** The floor, the default engine, each other batch-time target, and the default with asynchronous batch commits. */
export function sweepVariants(batchTimesMs: readonly number[]): Variant[] {
  const defaultMs = RUN_DEFAULTS.batchTime;
  return [
    { name: FLOOR, engine: null },
    { name: `new engine, --batch-time ${defaultMs} (default)`, engine: { args: [], env: {} } },
    ...batchTimesMs.filter((ms) => ms !== defaultMs).map((ms) => ({ name: `new engine, --batch-time ${ms}`, engine: { args: ['--batch-time', String(ms)], env: {} } })),
    { name: `new engine, --batch-time ${defaultMs}, asynchronous batch commits`, engine: { args: [], env: { [ASYNC_BATCHES_VARIABLE]: '1' } } },
  ];
}

/** Round r runs the variants starting from the r-th: each takes every place in turn. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

export async function runSweep(
  context: Omit<RunContext, 'keepRequests'>,
  variants: Variant[],
  rounds: number,
  log: (line: string) => void,
): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const variant of roundOrder(variants, round)) {
      const started = performance.now();
      const run = await runVariant(context, variant, round);
      const l = run.latency?.all;
      log(`  round ${round + 1}, ${variant.name} (${((performance.now() - started) / 1000).toFixed(0)} s with the copy and the margins): backfill ${Math.round(run.backfillMs)} ms, p99 ${l?.p99Ms.toFixed(0)} ms, max ${l?.maxMs.toFixed(0)} ms${run.failure ? `, FAILED: ${run.failure}` : ''}`);
      runs.push(run);
    }
  }
  return runs;
}

async function runVariant(context: Omit<RunContext, 'keepRequests'>, variant: Variant, round: number): Promise<SweepRun> {
  const watch = await watchResources(context.factory.adminUrl);
  try {
    if (variant.engine === null) {
      const floor = await floorUnderLoad(context.factory, context.templates, context.load, context.lockSampleMs);
      const window = { name: 'floor', from: 0, to: floor.ms };
      return measured(variant, round, null, floor.ms, floor.ms, floor.requests, floor.startedAt, window, await watch.stop());
    }
    const setup = { ...context.setup, ours: variant.engine };
    const run = await measureRun({ ...context, keepRequests: true, setup }, { side: 'ours', direction: 'up', scenario: 'quiet', round });
    const backfill = run.phases.find((p) => p.phase === 'backfill');
    const window = backfill && { name: 'backfill', from: backfill.from, to: backfill.to };
    const held = run.locks.find((l) => l.phase === 'backfill' && l.mode === 'RowExclusiveLock' && l.granted);
    return {
      ...measured(variant, round, run.failure, backfill ? backfill.to - backfill.from : NaN, run.wallMs, run.app?.requests, run.startedAt!, window, await watch.stop()),
      batches: { seen: held?.count ?? 0, longestMs: held?.longestMs ?? NaN },
    };
  } catch (error) {
    return { variant: variant.name, round, failure: (error as Error).message, backfillMs: NaN, wallMs: NaN, latency: null, resources: null };
  } finally {
    await watch.stop().catch(() => []);
  }
}

function measured(
  variant: Variant,
  round: number,
  failure: string | null,
  backfillMs: number,
  wallMs: number,
  requests: RequestRecord[] | undefined,
  startedAt: number,
  window: TimeWindow | undefined,
  samples: ResourceSample[],
): SweepRun {
  return {
    variant: variant.name,
    round,
    failure,
    backfillMs,
    wallMs,
    latency: window && requests ? windowLatency(requests, startedAt, window) : null,
    resources: window ? between(samples, startedAt + window.from, startedAt + window.to) : null,
  };
}
