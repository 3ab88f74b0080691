/**
 * Where a backfill's time goes (backfill-anatomy.ts), after `npm run build`:
 *   node dist/bench/anatomy/run-backfill-anatomy.js [--rows 1M] [--batch-size 2000] [--rounds 3] [--out DIR]
 * It starts a throwaway embedded server (BENCH_SERVER_SETTINGS: its settings; or uses BENCH_DATABASE_URL, then
 * without the server's CPU), builds the template at --rows, and writes results.json and RESULTS.md to --out
 * (default bench/results/backfill-anatomy-<rows>). Needs a quiet machine: it measures time, not load.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { count } from '../bench-options';
import { openBenchServer } from '../bench-server';
import { DatabaseFactory } from '../databases';
import { median } from '../median';
import { DEFAULT_RESULTS_DIR } from '../project-files';
import { settingsPrefix } from '../server-settings';
import { buildTemplates } from '../templates';
import { ANATOMY_VARIANTS, measureAnatomy, type AnatomyRun } from './backfill-anatomy';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1M' },
      'batch-size': { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '3' },
      out: { type: 'string' },
    },
  });
  const rows = count('--rows', values.rows!);
  const batchSize = count('--batch-size', values['batch-size']!);
  const rounds = count('--rounds', values.rounds!);
  const out = values.out ?? path.join(DEFAULT_RESULTS_DIR, `backfill-anatomy-${values.rows}`);
  const server = await openBenchServer();
  const factory = await DatabaseFactory.open(server.url);
  try {
    log(`building the template at ${rows.toLocaleString('en-US')} rows`);
    const templates = await buildTemplates(factory, rows, log);
    const postmasterPid = server.dataDir ? Number(readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined;
    const runs = await measureAnatomy(factory, templates, { batchSize, rounds, postmasterPid, log });
    const command = `${settingsPrefix()}node dist/bench/anatomy/run-backfill-anatomy.js --rows ${values.rows} --batch-size ${batchSize} --rounds ${rounds}`;
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ command, server: server.description, rows, admins: templates.admins, batchSize, machine: `${os.cpus().length} cores`, runs }, null, 2)}\n`);
    writeFileSync(path.join(out, 'RESULTS.md'), anatomyMarkdown(command, server.description, rows, batchSize, runs));
    log(`written: ${out}`);
  } finally {
    await factory.close();
    await server.stop();
  }
}

const seconds = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)} s`);
const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

function anatomyMarkdown(command: string, server: string, rows: number, batchSize: number, runs: AnatomyRun[]): string {
  const of = (variant: string) => runs.filter((r) => r.variant === variant);
  const medianOf = (variant: string, value: (r: AnatomyRun) => number | null) => {
    const values = of(variant).map(value).filter((v): v is number => v !== null);
    return values.length ? median(values) : null;
  };
  const floor = medianOf('floor', (r) => r.backfillMs)!;
  const plain = medianOf('plain batches', (r) => r.backfillMs)!;
  const expanded = medianOf('plain batches, expanded', (r) => r.backfillMs)!;
  const engine = medianOf('engine', (r) => r.backfillMs)!;
  const batches = medianOf('engine', (r) => r.batches)!;
  const lines = [
    `# Where the backfill's time goes, ${rows.toLocaleString('en-US')} rows`,
    '',
    `Written by \`${command}\`. Server: ${server}. Nothing else runs: no application load. Batches of ${batchSize.toLocaleString('en-US')} rows, fixed (the engine with \`--batch-time 0\`).`,
    '',
    '| variant | runs | backfill (median) | batches | server CPU (median) | the backend\'s CPU (median) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...ANATOMY_VARIANTS.map(
      (v) => `| ${v} | ${of(v).length} | ${ms(medianOf(v, (r) => r.backfillMs)!)} | ${medianOf(v, (r) => r.batches)} | ${seconds(medianOf(v, (r) => r.serverCpuSeconds))} | ${seconds(medianOf(v, (r) => r.backendCpuSeconds))} |`,
    ),
    '',
    `- Plain batches take ${(plain / floor).toFixed(2)}x the floor: PostgreSQL's price of batching.`,
    `- On the expanded table they take ${(expanded / plain).toFixed(2)}x: the sync triggers' price.`,
    `- The engine takes ${(engine / expanded).toFixed(2)}x plain batches on the expanded table: ${((engine - expanded) / batches).toFixed(1)} ms more a batch, what the engine adds.`,
    '- The engine\'s server CPU is its whole `up --expand` (expand included); the backend\'s CPU is measured for the floor and plain batches only.',
    '',
    '## Every run',
    '',
    '| round | variant | backfill | batches | server CPU | backend CPU |',
    '| ---: | --- | ---: | ---: | ---: | ---: |',
    ...runs.map((r) => `| ${r.round} | ${r.variant} | ${ms(r.backfillMs)} | ${r.batches} | ${seconds(r.serverCpuSeconds)} | ${seconds(r.backendCpuSeconds)} |`),
    '',
  ];
  return lines.join('\n');
}

main().catch((error) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
