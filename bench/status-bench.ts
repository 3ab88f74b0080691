/**
 * `konstruct-migrate status` against the stock `knex migrate:status` reading the
 * project's knexfile.ts (through tsx, as the knex CLI needs a TypeScript loader
 * for it), on the same up-to-date database. One unmeasured warm-up each, then
 * interleaved runs with the order alternated.
 */
import type { DatabaseFactory } from './databases';
import { median } from './median';
import { BUILT_CLI, KNEX_CLI, KNEXFILE } from './project-files';
import { runNode } from './timed-process';

export interface StatusBenchResult {
  runs: number;
  oursMs: number[];
  knexMs: number[];
  oursMedianMs: number;
  knexMedianMs: number;
}

const OURS = [BUILT_CLI, 'status'];
const KNEX = ['--import', 'tsx', KNEX_CLI, 'migrate:status', '--knexfile', KNEXFILE];

export async function benchmarkStatus(factory: DatabaseFactory, runs: number, log: (line: string) => void): Promise<StatusBenchResult> {
  const database = await factory.create('status');
  const url = factory.url(database);
  try {
    await runNode([BUILT_CLI, 'up'], url);
    const ours = () => runNode(OURS, url).then((r) => r.ms);
    const knex = async () => {
      const result = await runNode(KNEX, url);
      // Both must be reading an up-to-date history, or the comparison means nothing.
      if (!/No Pending Migration/i.test(result.stdout)) throw new Error(`knex migrate:status did not find the database up to date:\n${result.stdout}`);
      return result.ms;
    };
    await ours();
    await knex();
    const oursMs: number[] = [];
    const knexMs: number[] = [];
    for (let round = 0; round < runs; round++) {
      if (round % 2 === 0) {
        oursMs.push(await ours());
        knexMs.push(await knex());
      } else {
        knexMs.push(await knex());
        oursMs.push(await ours());
      }
    }
    const result = { runs, oursMs, knexMs, oursMedianMs: median(oursMs), knexMedianMs: median(knexMs) };
    log(`  status: konstruct-migrate ${Math.round(result.oursMedianMs)} ms, knex ${Math.round(result.knexMedianMs)} ms`);
    return result;
  } finally {
    await factory.drop(database);
  }
}
