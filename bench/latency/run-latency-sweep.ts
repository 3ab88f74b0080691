/**
 * The latency sweep on its own (latency-sweep.ts), after `npm run build`:
 *   node dist/bench/latency/run-latency-sweep.js [--rows 1M] [--rounds 2] [--batch-times 20,50,100,200] [--out DIR]
 *   node dist/bench/latency/run-latency-sweep.js --render DIR   (RESULTS.md again from DIR/results.json, measuring nothing)
 * It starts a throwaway embedded server (BENCH_SERVER_SETTINGS: its settings,
 * bench/server-settings.ts; or uses BENCH_DATABASE_URL), builds
 * the template at --rows, and writes results.json and RESULTS.md to --out
 * (default bench/results/latency-<rows>).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { count } from '../bench-options';
import { openBenchServer } from '../bench-server';
import { DatabaseFactory } from '../databases';
import { DEFAULT_RESULTS_DIR, phasedSteps } from '../project-files';
import { singleTransactionFolder } from '../single-transaction-folder';
import { buildTemplates } from '../templates';
import { readReportedSettings, settingsPrefix } from '../server-settings';
import { withClient } from '../databases';
import { latencySweepMarkdown } from './latency-markdown';
import { runSweep, sweepVariants, type SweepResult } from './latency-sweep';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1M' },
      rounds: { type: 'string', default: '2' },
      'batch-times': { type: 'string', default: '20,50,100,200' },
      out: { type: 'string' },
      render: { type: 'string' },
    },
  });
  if (values.render) return writeMarkdown(values.render, JSON.parse(readFileSync(path.join(values.render, 'results.json'), 'utf8')) as SweepResult);
  const rows = count('--rows', values.rows!, 100);
  const rounds = count('--rounds', values.rounds!);
  const variants = sweepVariants(values['batch-times']!.split(',').map((t) => count('--batch-times', t.trim())));
  const out = values.out ?? path.join(DEFAULT_RESULTS_DIR, `latency-${rows >= 1e6 ? `${rows / 1e6}M` : rows}`);
  const server = await openBenchServer();
  const factory = await DatabaseFactory.open(server.url);
  const single = singleTransactionFolder();
  try {
    const loadAverageStart = os.loadavg()[0]!;
    log(`${rows.toLocaleString('en-US')} rows: building the template databases ...`);
    const building = performance.now();
    const templates = await buildTemplates(factory, rows, log);
    log(`  templates built in ${((performance.now() - building) / 1000).toFixed(0)} s`);
    const load = { ratePerVersion: 100, connectionsPerVersion: 10, statementTimeoutMs: 60_000, marginMs: 1_000, openTransactionMs: 0 };
    // The Node load alone: the floor runs without pgbench, so the engine's runs do too.
    const pgbench = null;
    const context = { factory, templates, setup: { singleTransactionDir: single.dir }, lockSampleMs: 5, load, phasedSteps: phasedSteps(), pgbench };
    const runs = await runSweep(context, variants, rounds, log);
    const command = `${settingsPrefix()}node dist/bench/latency/run-latency-sweep.js ${process.argv.slice(2).join(' ')}`.trim();
    const settings = await withClient(server.url, readReportedSettings);
    const result: SweepResult = { command, rows, rounds, loadAverage: { start: loadAverageStart, end: os.loadavg()[0]! }, server: { description: server.description, settings }, variants, runs };
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeMarkdown(out, result);
  } finally {
    single.remove();
    await factory.close();
    await server.stop();
  }
}

function writeMarkdown(dir: string, result: SweepResult): void {
  writeFileSync(path.join(dir, 'RESULTS.md'), latencySweepMarkdown(result));
  log(`wrote ${dir}/RESULTS.md`);
}

void main().then(
  () => process.exit(0),
  (error) => {
    log(`error: ${(error as Error)?.stack ?? error}`);
    process.exit(1);
  },
);
