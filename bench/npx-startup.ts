/**
 * Startup through npx, as the README tells users to run it (issue #24, item 9).
 * Measured apart from the rest of the benchmark, in the same rounds for every
 * contender (order rotated each round), on an up-to-date database:
 *
 *   first npx --help   `npx konstruct-migrate --help` with an empty npm cache: the
 *                      first npx after `npm install` (npx links the folder into its
 *                      cache and runs its prepare; target < 1 s on a quiet machine);
 *   npx --help         the same with that cache warm;
 *   node --help        `node dist/src/cli/bin.js --help`: the CLI alone, so
 *                      npx's own cost is the difference;
 *   npx status         `npx konstruct-migrate status`;
 *   npx knex status    the stock `npx knex migrate:status` (knexfile.js loads
 *                      knexfile.ts through tsx); target: npx status <= 0.6x this.
 *
 * Run alone: `npm run build && node dist/bench/npx-startup.js [rounds]`; run-bench.ts
 * also runs it after the main benchmark and writes npx-startup.json beside results.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../test/support/cli';
import { openBenchServer, type BenchServer } from './bench-server';
import { DatabaseFactory } from './databases';
import { median } from './median';
import { BUILT_CLI, PACKAGE_ROOT } from './project-files';

export interface NpxStartupResult {
  rounds: number;
  /** Milliseconds of each round, per contender. */
  ms: Record<Contender, number[]>;
  medianMs: Record<Contender, number>;
  /** npx's own cost: median warm `npx --help` minus median `node --help`. */
  npxOverheadMs: number;
  /** median npx status / median npx knex migrate:status (target <= 0.6). */
  statusRatio: number;
}

type Contender = 'firstNpxHelp' | 'npxHelp' | 'nodeHelp' | 'npxStatus' | 'npxKnexStatus';

export async function benchmarkNpxStartup(factory: DatabaseFactory, rounds: number, log: (line: string) => void): Promise<NpxStartupResult> {
  const database = await factory.create('npx');
  const url = factory.url(database);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kbench-npx-'));
  const warmCache = path.join(scratch, 'warm-cache');
  try {
    const timed = (expect: RegExp, command: string, args: string[], cache: () => string) => async () => {
      const env = { DATABASE_URL: url, npm_config_cache: cache() };
      const run = await runProcess(command, args, { cwd: PACKAGE_ROOT, env, timeoutMs: 120_000 });
      if (run.code !== 0 || !expect.test(run.stdout)) throw new Error(`${command} ${args.join(' ')} exited ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      return run.ms;
    };
    let fresh = 0;
    const freshCache = () => path.join(scratch, `fresh-${fresh++}`);
    const contenders: Array<[Contender, () => Promise<number>]> = [
      ['firstNpxHelp', timed(/^Usage: konstruct-migrate/, 'npx', ['--offline', 'konstruct-migrate', '--help'], freshCache)],
      ['npxHelp', timed(/^Usage: konstruct-migrate/, 'npx', ['--offline', 'konstruct-migrate', '--help'], () => warmCache)],
      ['nodeHelp', timed(/^Usage: konstruct-migrate/, process.execPath, [BUILT_CLI, '--help'], () => warmCache)],
      ['npxStatus', timed(/2 applied, 0 pending/, 'npx', ['--offline', 'konstruct-migrate', 'status'], () => warmCache)],
      ['npxKnexStatus', timed(/No Pending Migration/i, 'npx', ['--offline', 'knex', 'migrate:status'], () => warmCache)],
    ];
    await runProcess(process.execPath, [BUILT_CLI, 'up'], { cwd: PACKAGE_ROOT, env: { DATABASE_URL: url } });
    // Warm-up, unmeasured: fills the warm cache, and the CLI's code cache.
    for (const [, run] of contenders) await run();
    const ms = Object.fromEntries(contenders.map(([name]) => [name, [] as number[]])) as Record<Contender, number[]>;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const [name, run] = contenders[(round + i) % contenders.length]!;
        ms[name].push(await run());
      }
    }
    const medianMs = Object.fromEntries(Object.entries(ms).map(([name, values]) => [name, median(values)])) as Record<Contender, number>;
    const result = { rounds, ms, medianMs, npxOverheadMs: medianMs.npxHelp - medianMs.nodeHelp, statusRatio: medianMs.npxStatus / medianMs.npxKnexStatus };
    log(npxStartupSummary(result));
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await factory.drop(database);
  }
}

export function npxStartupSummary(r: NpxStartupResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const range = (values: number[]) => `${s(Math.min(...values))}–${s(Math.max(...values))}`;
  return [
    `npx startup (${r.rounds} rounds, medians; lowest–highest):`,
    `  first npx konstruct-migrate --help: ${s(r.medianMs.firstNpxHelp)} (${range(r.ms.firstNpxHelp)}); target < 1 s on a quiet machine`,
    `  npx konstruct-migrate --help, warm: ${s(r.medianMs.npxHelp)}; node bin.js --help: ${s(r.medianMs.nodeHelp)}; npx itself: ${s(r.npxOverheadMs)}`,
    `  npx konstruct-migrate status: ${s(r.medianMs.npxStatus)}; npx knex migrate:status: ${s(r.medianMs.npxKnexStatus)}; ratio ${r.statusRatio.toFixed(2)}x (target <= 0.6x)`,
  ].join('\n');
}

/** Writes the result beside results.json. */
export function writeNpxStartup(result: NpxStartupResult, dir: string): string {
  const file = path.join(dir, 'npx-startup.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  let server: BenchServer | undefined;
  try {
    server = await openBenchServer();
    const factory = await DatabaseFactory.open(server.url);
    try {
      const result = await benchmarkNpxStartup(factory, rounds, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await factory.close();
    }
  } finally {
    await server?.stop();
  }
}

if (require.main === module) {
  void main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
