/**
 * The rollout scenarios end to end on a tiny table (`--only`), against the test
 * server: operations against a plain migration under both application
 * versions, the drain recorder's cost with and without its triggers, and the
 * rolling deploy with `complete --wait`; then the files written. Timings are
 * not checked: only what each run must show to measure what it claims.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../bench/bench-options';
import { runBenchmark, type BenchResult } from '../../bench/benchmark';
import { servedErrors } from '../../bench/ops/ops-measures';
import type { ScenarioResults } from '../../bench/rollout-scenarios';
import { writeResults } from '../../bench/write-results';
import { adminUrl } from '../support/test-database';
import { malformedRows, markdownTables } from './markup-checks';

let dir: string;
let result: BenchResult;
let scenarios: ScenarioResults;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'konstruct-bench-scenarios-'));
  const options = parseBenchOptions([
    '--only', 'ops,drain-cost,rolling-deploy', '--ops-rows', '300', '--runs', '1', '--app-rate', '20',
    // The old version outlives complete's start-up by seconds: a contract not held back by the gate would come while it still sends.
    '--drain-rounds', '2', '--drain-segment', '1', '--drain-window', '1', '--old-stops-after', '4', '--no-pgbench', '--load-margin', '500',
  ]) as BenchOptions;
  result = await runBenchmark({ url: adminUrl(), description: 'the test server' }, options, () => {});
  scenarios = result.scenarios!;
  await writeResults(result, dir);
}, 300_000);
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

describe('the rollout scenarios on a 300-row table, alone', () => {
  it('measure nothing of 006 beside them', () => {
    expect([result.sizes, result.status.oursMs]).toEqual([[], []]);
    expect(scenarios.rows).toBe(300);
  });

  it('run the operations and the plain migration under load, each leaving the plain end state with every write kept', () => {
    expect(scenarios.ops.map((r) => [r.contender, r.ok, r.failure])).toEqual([['operations', true, null], ['plain', true, null]]);
    const [ours, plain] = scenarios.ops;
    expect(ours!.phases.map((p) => p.phase)).toEqual(['expand', 'backfill', 'contract']);
    expect(plain!.phases.map((p) => p.phase)).toEqual(['migration']);
    // The plain transaction holds ACCESS EXCLUSIVE (the ALTERs) to its commit; the new version is served from then on.
    expect(plain!.locks.some((l) => l.mode === 'AccessExclusiveLock' && l.granted)).toBe(true);
    for (const run of [ours!, plain!]) {
      expect(run.windows.find((w) => w.name === 'before')!.versions.new.requests, run.contender).toBe(0);
      expect(run.windows.find((w) => w.name === 'after')!.versions.new.requests, run.contender).toBeGreaterThan(0);
    }
    // The plain migration's old-version requests queued behind its lock fail once it commits: only the operations serve both throughout.
    expect([servedErrors(ours!, 'old'), servedErrors(ours!, 'new')]).toEqual([0, 0]);
    expect(servedErrors(plain!, 'new')).toBe(0);
    // Each max is explained: the slowest request of each served version, with the phase and (phased) step it waited in.
    for (const version of ['old', 'new'] as const) {
      expect(ours!.worst[version], version).toMatchObject({ version });
      expect(ours!.worst[version]!.phases.length, version).toBeGreaterThan(0);
      expect(ours!.worst[version]!.steps.length, version).toBeGreaterThan(0);
    }
    expect(plain!.worst.old!.phases).toEqual(['migration']);
    expect(plain!.worst.new).toBeNull();
    // Once contract has renamed `name`, the old version fails: shown, not counted.
    expect(ours!.windows.find((w) => w.name === 'after')!.versions.old.errorGroups.map((g) => g.message)).toContainEqual(expect.stringMatching(/column "name" does not exist/));
  });

  it('compare the drain triggers against none with both copies loaded at once, the triggers moving between the copies, counting old-shape writes only where they stand', () => {
    const [run] = scenarios.drainCost;
    expect([run!.ok, run!.failure]).toEqual([true, null]);
    expect(run!.sides.recording.triggers).toBeGreaterThan(0);
    expect(run!.sides.recording.recordedWrites).toBeGreaterThan(0);
    expect([run!.sides.without.triggers, run!.sides.without.recordedWrites]).toEqual([0, 0]);
    // Crossed (--drain-rounds 2): copy x carries the recorder in round 1, copy y in round 2; both copies loaded in each.
    const segments = run!.segments!;
    expect(segments.map((s) => `${s.round + 1} ${s.copy} ${s.side}`)).toEqual(['1 x recording', '1 y without', '2 x without', '2 y recording']);
    // Each segment found the triggers where the schedule put them, and only there were writes counted.
    for (const s of segments) {
      const where = `round ${s.round + 1}, copy ${s.copy}`;
      expect(s.requests, where).toBeGreaterThan(0);
      if (s.side === 'recording') expect([s.triggers > 0, s.recorded > 0], where).toEqual([true, true]);
      else expect([s.triggers, s.recorded], where).toEqual([0, 0]);
    }
    // At the same time: in each round, each copy's load began before the other's ended (loaded one after the other,
    // the second would begin after the first ended), and the rounds follow each other.
    for (const round of [0, 1]) {
      const [x, y] = segments.filter((s) => s.round === round);
      expect(x!.firstDueAt!, `round ${round + 1}`).toBeLessThan(y!.lastDueAt!);
      expect(y!.firstDueAt!, `round ${round + 1}`).toBeLessThan(x!.lastDueAt!);
    }
    expect(Math.max(segments[0]!.lastDueAt!, segments[1]!.lastDueAt!)).toBeLessThan(Math.min(segments[2]!.firstDueAt!, segments[3]!.firstDueAt!));
    // Judged over the crossed rounds, the copy effect beside it; and by the server, crossed too: EXPLAIN ANALYZE charges time to the recorder's trigger on the old version's update.
    expect(run!.ratios!.old.perRound).toHaveLength(2);
    expect(run!.ratios!.new.perRound).toHaveLength(2);
    expect(run!.copyEffect!.old!.without.pooled).toBeGreaterThan(0);
    expect(run!.server.map((c) => c.statement)).toEqual(['update', 'insert']);
    expect(run!.server[0]!.recorderMs).toBeGreaterThan(0);
    expect(Object.keys(run!.server[0]!.differenceByCarrier!)).toEqual(['x', 'y']);
    for (const side of ['recording', 'without'] as const) {
      expect(run!.sides[side].versions.old.requests, side).toBeGreaterThan(0);
      expect(run!.sides[side].versions.new.requests, side).toBeGreaterThan(0);
    }
  });

  it('run complete --wait while the old version still sends: it contracts only once that version is gone, and no request of either fails', () => {
    const [run] = scenarios.rollingDeploy;
    expect([run!.ok, run!.failure]).toEqual([true, null]);
    expect([run!.versions.old.errorMessages, run!.versions.new.errorMessages]).toEqual([[], []]);
    expect(run!.versions.new.requests).toBeGreaterThan(0);
    // Ordering, not speed: the old version answered after complete began, and the contract's first lock came after its last answer.
    expect(run!.oldActiveAfterCompleteMs).toBeGreaterThan(0);
    expect(run!.contractAfterOldMs).toBeGreaterThan(0);
    // Each version's max is explained, with the command that ran while it waited.
    for (const version of ['old', 'new'] as const) expect(run!.worst[version]!.phases.length, version).toBeGreaterThan(0);
  });

  it('write RESULTS.md with the three sections and well-formed tables, and results.json; no 006 charts', async () => {
    const markdown = await readFile(path.join(dir, 'RESULTS.md'), 'utf8');
    for (const heading of ['### Operations:', '**What each max waited on**', "### What the drain gate's write recorder costs", '### Rolling deploy with `complete --wait`']) expect(markdown).toContain(heading);
    expect(markdown).not.toContain('## Online migration');
    for (const table of markdownTables(markdown)) expect(malformedRows(table)).toEqual([]);
    for (const link of [...markdown.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!)) expect(existsSync(path.resolve(dir, link)), link).toBe(true);
    expect(existsSync(path.join(dir, 'app-latency.svg'))).toBe(false);
    expect(JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
  });
});
