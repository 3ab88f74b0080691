/**
 * The benchmark's whole code path on a tiny table, against the test server:
 * every contender up under the application's load (quiet, and with an open
 * transaction) and down (the engines of issue #22, today's and the
 * pgroll-style one, going up only), the backfill's floor, the phases, the locks, the data checks, status
 * against the knex CLI and a bare node + pg script, and the files it writes. Timings are not checked here.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../bench/bench-options';
import { runBenchmark, type BenchResult } from '../../bench/benchmark';
import { findPgbench } from '../../bench/app-load/pgbench-load';
import { windowOf } from '../../bench/run-filters';
import { writeResults } from '../../bench/write-results';
import { adminUrl } from '../support/test-database';
import { malformedRows, markdownTables, unbalancedTags } from './markup-checks';

let dir: string;
let result: BenchResult;
const partials: BenchResult[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'konstruct-bench-'));
  const options = parseBenchOptions(['--rows', '300', '--sizes', '300', '--runs', '1', '--status-runs', '1', '--open-transaction', '2', '--load-margin', '500', '--app-rate', '20', '--early-deploy', '--no-ops', '--no-drain-cost', '--no-rolling-deploy', '--no-standby']) as BenchOptions;
  result = await runBenchmark({ url: adminUrl(), description: 'the test server' }, options, () => {}, async (partial) => {
    partials.push(partial);
    // As run-bench does after every round: the partial results must render.
    await writeResults(partial, dir);
  });
  await writeResults(result, dir);
}, 300_000);
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

const written = (name: string) => readFile(path.join(dir, name), 'utf8');

describe('the benchmark on a 300-row table', () => {
  it('runs every contender up under load (quiet and with an open transaction) and down, and ours with an early deploy, each leaving the right data', () => {
    const size = result.sizes[0]!;
    expect(size).toMatchObject({ rows: 300, admins: 3 });
    expect(size.runs.map((r) => `${r.direction} ${r.scenario} ${r.side}`).sort()).toEqual([
      'down idle ours',
      'down idle seed',
      'down idle single',
      'up early-deploy ours',
      'up open-transaction ours',
      'up open-transaction pgroll',
      'up open-transaction seed',
      'up open-transaction single',
      'up open-transaction today',
      'up quiet ours',
      'up quiet pgroll',
      'up quiet seed',
      'up quiet single',
      'up quiet today',
    ]);
    expect(size.runs.filter((r) => !r.ok).map((r) => r.failure)).toEqual([]);
  });

  it("times the backfill's floor once per round, and each engine's backfill phase", () => {
    const size = result.sizes[0]!;
    expect(size.floorMs).toHaveLength(1);
    expect(size.floorMs![0]).toBeGreaterThan(0);
    // The phase row is sampled every few ms (bench/phase-clock.ts): on 300 rows a backfill's one batch may commit
    // between two samples, and its span is then empty. Every run must have the phase in order; most, a length.
    const backfills = size.runs
      .filter((r) => ['ours', 'today', 'pgroll'].includes(r.side) && r.direction === 'up')
      .map((run) => ({ run: `${run.side} ${run.scenario}`, ...run.phases.find((p) => p.phase === 'backfill')! }));
    expect(backfills).toHaveLength(7); // three contenders, quiet and open transaction, and ours with an early deploy
    for (const b of backfills) expect(b.to, b.run).toBeGreaterThanOrEqual(b.from);
    expect(backfills.filter((b) => b.to > b.from).length, JSON.stringify(backfills)).toBeGreaterThanOrEqual(5);
  });

  it('times status against the knex CLI and a bare node + pg script, the same number of rounds each', () => {
    expect([result.status.oursMs.length, result.status.knexMs.length, result.status.bareMs?.length]).toEqual([1, 1, 1]);
  });

  it('hands over the results after every round, marked partial, with status measured first', () => {
    expect(partials.map((p) => [p.complete, p.sizes[0]!.runs.length])).toEqual([[false, 14]]);
    expect(partials[0]!.status.oursMs).toHaveLength(1);
    expect(result.complete).toBe(true);
  });

  it('splits the phased up into expand, backfill and contract, end to end, and the others into one span', () => {
    for (const run of result.sizes[0]!.runs) {
      const phased = ['ours', 'today', 'pgroll'].includes(run.side);
      const expected = phased ? (run.direction === 'up' ? ['expand', 'backfill', 'contract'] : ['contract', 'backfill', 'expand']) : ['migration'];
      expect(run.phases.map((p) => p.phase), `${run.side} ${run.direction}`).toEqual(expected);
      expect(run.phases[0]!.from).toBe(0);
      expect(run.phases.at(-1)!.to).toBe(run.wallMs);
      run.phases.slice(1).forEach((p, i) => expect(p.from).toBe(run.phases[i]!.to));
    }
  });

  it('deploys the new version once expand has committed: it sends nothing before and fails nowhere', () => {
    const runs = result.sizes[0]!.runs.filter((r) => r.side === 'ours' && r.direction === 'up' && r.scenario !== 'early-deploy');
    expect(runs.map((r) => r.scenario).sort()).toEqual(['open-transaction', 'quiet']);
    for (const run of runs) {
      expect(windowOf(run, 'before')!.versions.new.requests, run.scenario).toBe(0);
      expect(windowOf(run, 'whole run')!.versions.new.errors, run.scenario).toBe(0);
      expect(windowOf(run, 'after')!.versions.new.requests, run.scenario).toBeGreaterThan(0);
    }
  });

  it('in the early deploy, sees the new version fail before expand, each failure costing no new connection', () => {
    const run = result.sizes[0]!.runs.find((r) => r.scenario === 'early-deploy')!;
    expect(windowOf(run, 'before')!.versions.new.errorGroups.map((g) => g.message)).toContainEqual(expect.stringMatching(/column "role".* does not exist/));
    // Every answer the new version got before expand began was an error (a request sent just before and answered
    // after counts in 'before' too, but its answer, an error as well, in 'expand').
    const before = windowOf(run, 'before')!.versions.new;
    expect(before.answered).toBeGreaterThan(0);
    expect(before.errors).toBe(before.answered);
    expect(run.app!.reconnects).toEqual({ old: 0, new: 0 });
  });

  it.skipIf(findPgbench() === null)('runs pgbench beside the Node load: the old version from the start, the new one once expanded', () => {
    for (const run of result.sizes[0]!.runs.filter((r) => r.direction === 'up')) {
      const what = `${run.side} ${run.scenario}`;
      expect(run.app!.pgbench!.failure, what).toBeNull();
      expect(windowOf(run, 'before', 'pgbench')!.versions.old.requests, what).toBeGreaterThan(0);
      expect(windowOf(run, 'before', 'pgbench')!.versions.new.requests, what).toBe(0);
      expect(windowOf(run, 'after', 'pgbench')!.versions.new.requests, what).toBeGreaterThan(0);
    }
  });

  it('sees the old version fail once the schema no longer serves it, after contract', () => {
    const run = result.sizes[0]!.runs.find((r) => r.side === 'ours' && r.scenario === 'quiet')!;
    expect(windowOf(run, 'before')!.versions.old.errors).toBe(0);
    expect(windowOf(run, 'after')!.versions.old.errorGroups.map((g) => g.message)).toContainEqual(expect.stringMatching(/column "is_admin".* does not exist/));
    expect(run.app!.openTransaction).toBeNull();
    const open = result.sizes[0]!.runs.find((r) => r.side === 'ours' && r.scenario === 'open-transaction')!;
    expect(open.app!.openTransaction).toMatchObject({ error: null });
  });

  it("records the locks the phased up took on portal_users per phase: with the open transaction, expand waited for one that stops the application", () => {
    // The pgroll-style contender asks with lock_timeout 500 ms, again and again while the application transaction holds
    // portal_users (4 s), so its waits cannot go unseen (the new engine's first attempt waits 50 ms at most, then outside the queue).
    const open = result.sizes[0]!.runs.find((r) => r.side === 'pgroll' && r.scenario === 'open-transaction')!;
    expect(open.locks.some((l) => l.phase === 'expand' && !l.granted && l.blocks !== null)).toBe(true);
    for (const run of result.sizes[0]!.runs) {
      for (const lock of run.locks) expect(run.phases.map((p) => p.phase)).toContain(lock.phase);
    }
  });

  it('writes RESULTS.md with well-formed tables and links that resolve, both charts and the raw results', async () => {
    const markdown = await written('RESULTS.md');
    for (const table of markdownTables(markdown)) expect(malformedRows(table)).toEqual([]);
    expect(markdown).toContain('## Backfill engines side by side (issue #22)');
    expect(markdown).toMatch(/\| a pgroll-style backfill \(1,000 rows by primary key\) \| open application transaction \| [^|]+ ms/);
    expect(markdown).toContain('300 users of which 3 admins (1%)');
    const links = [...markdown.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!);
    expect(links).toEqual(expect.arrayContaining(['app-latency.svg', 'migration-time.svg']));
    for (const link of links) expect(existsSync(path.resolve(dir, link)), link).toBe(true);

    for (const chart of ['app-latency.svg', 'migration-time.svg']) expect(unbalancedTags(await written(chart)), chart).toEqual([]);
    expect((await written('app-latency.svg')).match(/<polyline /g)!.length).toBeGreaterThanOrEqual(5);
    expect(JSON.parse(await written('results.json'))).toEqual(JSON.parse(JSON.stringify(result)));
  });
});
