/**
 * The latency sweep's arithmetic (bench/latency/): a window's totals from the
 * resource samples around it, the server's CPU from /proc lines, the variants
 * and their rotation, and the sentence that judges the floor against 50 ms.
 * No server: the sweep itself is run by hand (docs/development.md).
 */
import { describe, expect, it } from 'vitest';
import { FLOOR, roundOrder, sweepVariants, type SweepResult, type SweepRun } from '../../bench/latency/latency-sweep';
import { otherCores, verdict } from '../../bench/latency/latency-markdown';
import { parseStat, serverCpu } from '../../bench/latency/process-cpu';
import { between, type ResourceSample } from '../../bench/latency/resource-sampler';

const sample = (at: number, over: Partial<ResourceSample> = {}): ResourceSample => ({
  at, walBytes: 0, fullPageImages: 0, checkpoints: 0, serverCpu: 0, loadCpu: 0, cliCpu: 0, machineBusyCpu: 0, ...over,
});

describe('between', () => {
  const samples = [
    sample(0),
    sample(1000, { walBytes: 2 ** 20, serverCpu: 0.5, machineBusyCpu: 1, checkpoints: 0 }),
    sample(2000, { walBytes: 5 * 2 ** 20, serverCpu: 2, machineBusyCpu: 3, fullPageImages: 40, checkpoints: 1 }),
    sample(3000, { walBytes: 6 * 2 ** 20, serverCpu: 2.5, machineBusyCpu: 4, fullPageImages: 50, checkpoints: 1 }),
  ];

  it('spans the last sample at or before the start to the first at or after the end', () => {
    const window = between(samples, 1200, 1900, 2)!;
    expect(window).toMatchObject({ seconds: 1, walMB: 4, walMBPerSecond: 4, fullPageImages: 40, checkpoints: 1, cores: 2 });
    expect(window.serverCores).toBeCloseTo(1.5);
    expect(window.machineCores).toBeCloseTo(2);
    expect(otherCores(window)).toBeCloseTo(0.5);
  });

  it('gives cores as CPU seconds per second over the whole span', () => {
    expect(between(samples, 0, 3000, 2)!.serverCores).toBeCloseTo(2.5 / 3);
  });

  it('is null when the samples do not cover the window', () => {
    expect(between(samples, -5, 1000)).toBeNull();
    expect(between(samples, 1000, 3500)).toBeNull();
  });

  it('never counts below zero when a child ended and took its CPU with it', () => {
    expect(between([sample(0, { cliCpu: 3 }), sample(1000, { cliCpu: 0 })], 0, 1000)!.cliCores).toBe(0);
  });
});

describe('the server\'s CPU from /proc', () => {
  // Fields 14..17: utime, stime, cutime, cstime, in ticks of 1/100 s.
  const line = (pid: number, ppid: number, comm: string, ticks: [number, number, number, number]) =>
    `${pid} (${comm}) S ${ppid} 0 0 0 -1 4194560 0 0 0 0 ${ticks.join(' ')} 20 0 1 0 100 0 0`;

  it('reads the name in parentheses even with spaces, the parent, and the times', () => {
    expect(parseStat(line(42, 7, 'postgres: walwriter ', [150, 50, 30, 20]), 100)).toEqual({ pid: 42, ppid: 7, comm: 'postgres: walwriter ', cpu: 2, reapedCpu: 0.5 });
  });

  it('counts the postmaster with the children it reaped, and its live children, nothing else', () => {
    const processes = [line(7, 1, 'postgres', [100, 0, 300, 0]), line(8, 7, 'postgres', [200, 0, 0, 0]), line(9, 1, 'postgres', [999, 0, 0, 0])].map((l) => parseStat(l, 100));
    expect(serverCpu(processes, 7)).toBe(6);
  });
});

describe('the variants', () => {
  it('are the floor, the default, each other target, and the default with asynchronous batch commits', () => {
    const variants = sweepVariants([20, 50, 200]);
    expect(variants.map((v) => v.name)).toEqual([
      FLOOR,
      'new engine, --batch-time 50 (default)',
      'new engine, --batch-time 20',
      'new engine, --batch-time 200',
      'new engine, --batch-time 50, asynchronous batch commits',
    ]);
    expect(variants[2]!.engine).toEqual({ args: ['--batch-time', '20'], env: {} });
    expect(variants[4]!.engine).toEqual({ args: [], env: { KONSTRUCT_BENCH_ASYNC_BATCHES: '1' } });
  });

  it('take every place in turn, round after round', () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(['a', 'b', 'c'], round).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });
});

describe('the verdict', () => {
  const run = (variant: string, p99Ms: number, maxMs: number, backfillMs: number): SweepRun => ({
    variant, round: 0, failure: null, backfillMs, wallMs: backfillMs,
    latency: { all: { requests: 100, errors: 0, p99Ms, maxMs }, reads: { requests: 70, errors: 0, p99Ms, maxMs } }, resources: null,
  });
  const result = (floorMaxMs: number): SweepResult => ({
    command: 'sweep', rows: 1_000_000, rounds: 1, loadAverage: { start: 1, end: 1 },
    variants: sweepVariants([50]),
    runs: [run(FLOOR, 40, floorMaxMs, 1000), run('new engine, --batch-time 50 (default)', 80, 120, 1500)],
  });

  it('says so in bold when the floor alone drives the max above 50 ms', () => {
    expect(verdict(result(70))[0]).toMatch(/^\*\*The floor alone drives the application's max above 50 ms on this machine\*\*: median max 70 ms, p99 40 ms/);
  });

  it('calls the machine shared when processes outside the benchmark kept it busy', () => {
    const busy = result(45);
    busy.runs[0]!.resources = { seconds: 1, walMB: 1, walMBPerSecond: 1, fullPageImages: 0, checkpoints: 0, serverCores: 0.4, loadCores: 0.1, cliCores: 0, machineCores: 1.9, cores: 2 };
    expect(verdict(busy)[0]).toMatch(/^\*\*A shared machine\*\*: processes outside the benchmark kept a median 1\.40 of its 2 cores busy/);
  });

  it('says the floor stays under 50 ms when it does, and puts each variant against it', () => {
    const lines = verdict(result(45));
    expect(lines[0]).toMatch(/^The floor keeps the application's max under 50 ms/);
    expect(lines[1]).toBe('- new engine, --batch-time 50 (default): median p99 80 ms (2.00x the floor\'s), max 120 ms, backfill 1.50x the floor\'s time.');
  });
});
