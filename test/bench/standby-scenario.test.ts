/**
 * The benchmark's replica-lag scenario (issue #22 item 5) end to end on a small
 * table (`--only standby`): a standby attached to the benchmark's own server (a
 * throwaway cluster here, as run-bench starts one, never the shared test
 * server), the new engine's `up` with the throttle on and off under the load,
 * the lag sampled, and the section in RESULTS.md; and the one line it leaves
 * when it cannot run. Timings are not checked: only that each number is there
 * and consistent with the others.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../bench/bench-options';
import { runBenchmark, type BenchResult } from '../../bench/benchmark';
import { benchmarkStandby, standbyRounds } from '../../bench/standby/standby-scenario';
import type { Templates } from '../../bench/templates';
import { writeResults } from '../../bench/write-results';
import { standbyToolsMissing } from '../support/attach-standby';
import { skipWithout } from '../support/required-tool';
import { startThrowawayServer, type ThrowawayServer } from '../support/throwaway-server';

// Enough rows for a backfill longer than the 100 ms between two samples, even on an idle machine.
const ROWS = 50_000;
const options = parseBenchOptions(['--only', 'standby', '--rows', String(ROWS), '--runs', '1', '--app-rate', '20']) as BenchOptions;

it('runs at --ops-rows (--runs rounds) and, with --huge, at 10M rows (--huge-runs rounds), nowhere else', () => {
  const huge = parseBenchOptions(['--huge', '--runs', '3', '--huge-runs', '5']) as BenchOptions;
  expect([10_000, 100_000, 1_000_000, 10_000_000].map((rows) => standbyRounds(huge, rows))).toEqual([0, 0, 3, 5]);
  const left = parseBenchOptions(['--huge', '--no-standby']) as BenchOptions;
  expect([1_000_000, 10_000_000].map((rows) => standbyRounds(left, rows))).toEqual([0, 0]);
});

describe.skipIf(skipWithout('a streaming standby (pg_basebackup of the embedded server’s major)', standbyToolsMissing()))('the standby scenario on a 50,000-row table, alone', { timeout: 300_000 }, () => {
  let server: ThrowawayServer;
  let dir: string;
  let result: BenchResult;

  beforeAll(async () => {
    server = await startThrowawayServer({ label: 'bench-standby', settings: { track_commit_timestamp: 'on' } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'konstruct-bench-standby-'));
    result = await runBenchmark({ url: server.url, description: 'a throwaway cluster', dataDir: server.dataDir }, options, () => {});
    await writeResults(result, dir);
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await server?.stop();
  });

  it('runs up with the throttle on and off, each leaving the right data', () => {
    expect(result.standby).toHaveLength(1);
    const [standby] = result.standby!;
    expect(standby).toMatchObject({ rows: ROWS, skipped: null, maxReplicaLagSeconds: 1, sampleMs: 100 });
    expect(standby!.runs.map((r) => [r.round, r.throttle, r.ok, r.failure])).toEqual([[0, true, true, null], [0, false, true, null]]);
  });

  it('samples the lag through each run and within its backfill, and the numbers agree with each other', () => {
    for (const run of result.standby![0]!.runs) {
      expect(run.runLag.samples, `throttle ${run.throttle}`).toBeGreaterThan(0);
      expect(run.backfillLag.samples).toBeGreaterThan(0);
      expect(run.backfillLag.samples).toBeLessThanOrEqual(run.runLag.samples);
      expect(run.backfillLag.p99Ms).toBeLessThanOrEqual(run.backfillLag.maxMs);
      expect(run.backfillLag.maxMs).toBeLessThanOrEqual(run.runLag.maxMs);
      expect(run.backfillMs).toBeGreaterThan(0);
      expect(run.backfillMs!).toBeLessThan(run.wallMs);
      expect(run.rowsPerSecond).toBeCloseTo(ROWS / (run.backfillMs! / 1000), 6);
      expect(run.caughtUpMs).not.toBeNull();
      expect(run.heldMs).toBeGreaterThanOrEqual(0);
      expect(run.holds === 0).toBe(run.heldMs === 0);
    }
  });

  it('writes its section in RESULTS.md: the targets with "met in N of M runs", each run, and the summary line', async () => {
    const text = await readFile(path.join(dir, 'RESULTS.md'), 'utf8');
    expect(text).toContain('## Replica lag with a streaming standby attached, 50,000 rows (issue #22 item 5)');
    expect(text).toMatch(/\| standby replay lag p99 during the backfill, throttle on \(limit 1 s\) \| [\d.,]+ ms \| .* \| ≤ 1 s \| \**\d of 1 runs\** \|/);
    expect(text).toMatch(/\| backfill throughput, throttle on \/ off \(same round, standby attached\) \| [\d.]+x \| .* \| ≥ 0\.80x \| \**\d of 1 runs\** \|/);
    expect(text).toMatch(/\| backfill throughput \(rows\) \| [\d,]+\/s \| [\d,]+\/s \|/);
    expect(text).toMatch(/- Replica lag with a standby at 50,000 rows \(issue #22\): /);
    expect(text).toContain('| data | `portal_users`: 50,000 users');
  });

  it('on a server that is not its own (BENCH_DATABASE_URL), says in one line why it did not run, and judges nothing', async () => {
    // It decides before it touches the data: nothing else is needed to see it.
    const standby = await benchmarkStandby({ url: server.url }, null as never, { rows: ROWS } as Templates, 1, null as never, () => {});
    expect(standby).toMatchObject({ rows: ROWS, runs: [], skipped: expect.stringMatching(/^not run: .*BENCH_DATABASE_URL/) });
    const other = await mkdtemp(path.join(os.tmpdir(), 'konstruct-bench-standby-skipped-'));
    try {
      await writeResults({ ...result, standby: [standby] }, other);
      const text = await readFile(path.join(other, 'RESULTS.md'), 'utf8');
      expect(text).toContain(`The scenario was ${standby.skipped}.`);
      expect(text).not.toContain('standby replay lag p99');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
