/**
 * The benchmark's whole code path on a tiny table, against the test server: both
 * contenders in both directions (each run's data is checked by the benchmark
 * itself), status against the knex CLI, and the files it writes. Timings are
 * not checked here.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmark, type BenchResult } from '../../bench/benchmark';
import { writeResults } from '../../bench/write-results';
import { adminUrl } from '../support/test-database';
import { malformedRows, markdownTables, unbalancedTags } from './markup-checks';

let dir: string;
let result: BenchResult;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'konstruct-bench-'));
  const options = { rows: 300, sizes: [], runs: 1, statusRuns: 1, lockSampleMs: 5 };
  result = await runBenchmark({ url: adminUrl(), description: 'the test server' }, options, () => {});
  await writeResults(result, dir);
}, 240_000);
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

const written = (name: string) => readFile(path.join(dir, name), 'utf8');

describe('the benchmark on a 300-row table', () => {
  it('measures both contenders in both directions, with sizes, and status against the knex CLI and a bare node + pg script', () => {
    expect(result.sizes.map((s) => s.rows)).toEqual([300]);
    const runs = result.sizes[0]!.runs;
    expect(runs.map((r) => `${r.direction} ${r.side}`).sort()).toEqual(['down ours', 'down seed', 'up ours', 'up seed']);
    for (const run of runs) {
      expect(run.wallMs).toBeGreaterThan(0);
      expect(run.before.heap).toBeGreaterThan(0);
      expect(run.after.total).toBeGreaterThanOrEqual(run.after.heap);
    }
    // The seed rewrites every row, so its heap grows; ours writes only the admins.
    const up = result.sizes[0]!.summary.up;
    expect(up.seed.after.heap).toBeGreaterThan(up.ours.after.heap);
    expect([result.status.oursMs.length, result.status.knexMs.length, result.status.bareMs?.length]).toEqual([1, 1, 1]);
  });

  it('writes RESULTS.md with well-formed tables, the chart and the raw results', async () => {
    const tables = markdownTables(await written('RESULTS.md'));
    expect(tables).toHaveLength(3);
    for (const table of tables) expect(malformedRows(table)).toEqual([]);
    expect(await written('RESULTS.md')).toContain('](migration-time.svg)');

    const svg = await written('migration-time.svg');
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg.match(/<polyline /g)).toHaveLength(4);

    expect(JSON.parse(await written('results.json'))).toEqual(JSON.parse(JSON.stringify(result)));
  });
});
