/**
 * `konstruct-migrate status` against two references on the same up-to-date
 * database: the stock `knex migrate:status` reading the project's knexfile.ts
 * (through tsx, as the knex CLI needs a TypeScript loader for it), and a bare
 * node + pg script reading knex_migrations (bare-status.cjs), the floor any
 * Node.js tool pays. One unmeasured warm-up each, then rounds that run all three
 * in an order rotated every round.
 */
import type { DatabaseFactory } from './databases';
import { median } from './median';
import { BARE_STATUS_SCRIPT, BUILT_CLI, KNEX_CLI, KNEXFILE } from './project-files';
import { runNode } from './timed-process';

export interface StatusBenchResult {
  runs: number;
  oursMs: number[];
  knexMs: number[];
  oursMedianMs: number;
  knexMedianMs: number;
  /** Absent from results written before the bare script was measured (bench/results of 2026-11-27). */
  bareMs?: number[];
  bareMedianMs?: number;
}

const OURS = [BUILT_CLI, 'status'];
const KNEX = ['--import', 'tsx', KNEX_CLI, 'migrate:status', '--knexfile', KNEXFILE];
const BARE = [BARE_STATUS_SCRIPT];

export async function benchmarkStatus(factory: DatabaseFactory, runs: number, log: (line: string) => void): Promise<StatusBenchResult> {
  const database = await factory.create('status');
  const url = factory.url(database);
  try {
    await runNode([BUILT_CLI, 'up'], url);
    // Each must be reading an up-to-date history of both migrations, or the comparison means nothing.
    const timed = (args: string[], upToDate: RegExp, name: string) => async () => {
      const result = await runNode(args, url);
      if (!upToDate.test(result.stdout)) throw new Error(`${name} did not find the database up to date:\n${result.stdout}`);
      return result.ms;
    };
    const contenders = [
      { ms: [] as number[], run: timed(OURS, /2 applied, 0 pending/, 'konstruct-migrate status') },
      { ms: [] as number[], run: timed(KNEX, /No Pending Migration/i, 'knex migrate:status') },
      { ms: [] as number[], run: timed(BARE, /^005_baseline\t1\t.*\n006_rbac_roles\t1\t/, 'the bare node + pg script') },
    ];
    for (const c of contenders) await c.run();
    for (let round = 0; round < runs; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(round + i) % contenders.length]!;
        c.ms.push(await c.run());
      }
    }
    const [oursMs, knexMs, bareMs] = contenders.map((c) => c.ms) as [number[], number[], number[]];
    const result = { runs, oursMs, knexMs, bareMs, oursMedianMs: median(oursMs), knexMedianMs: median(knexMs), bareMedianMs: median(bareMs) };
    log(`  status: konstruct-migrate ${Math.round(result.oursMedianMs)} ms, knex ${Math.round(result.knexMedianMs)} ms, bare node + pg ${Math.round(result.bareMedianMs)} ms`);
    return result;
  } finally {
    await factory.drop(database);
  }
}
