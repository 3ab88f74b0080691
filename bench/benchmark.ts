/**
 * The whole benchmark as one function returning data, so the command line
 * (run-bench.ts) and the smoke test share one code path. `status` is measured
 * first, and after every round the results so far are handed to `onRound`, so
 * a long run (10M rows) stopped part-way still leaves complete rounds behind.
 */
import os from 'node:os';
import { HUGE_ROWS, type BenchOptions } from './bench-options';
import { DatabaseFactory, withClient } from './databases';
import type { LoadPlan } from './measured-run';
import { benchmarkMigration, type SizeResult } from './migration-bench';
import { phasedSteps } from './project-files';
import { singleTransactionFolder } from './single-transaction-folder';
import { DRAIN_EXPLAIN_REPETITIONS } from './drain/drain-cost';
import { benchmarkScenarios, type ScenarioResults } from './rollout-scenarios';
import { benchmarkStatus, type StatusBenchResult } from './status-bench';
import { buildTemplates, type Templates } from './templates';
import { findPgbench, PGBENCH_MISSING } from './app-load/pgbench-load';
import { execFileSync } from 'node:child_process';
import { readReportedSettings } from './server-settings';
import { benchmarkStandby, standbyRounds, type StandbyResults } from './standby/standby-scenario';

export interface Environment {
  date: string;
  machine: string;
  node: string;
  postgres: string;
  server: string;
  /** Server settings that shape the numbers. */
  settings: Record<string, string>;
  /** 1-minute load average when the benchmark started, and when it ended (null until then): a shared machine shows here. */
  loadAverage: number;
  loadAverageAfter: number | null;
  /** pgbench's version, or why it was not run. */
  pgbench: string;
}

export interface BenchResult {
  options: BenchOptions;
  /** What the application load did, as configured for every `up` run. */
  load: LoadPlan;
  /** The phases of 006's steps, in order, as the CLI ran them. */
  phasedSteps: string[];
  environment: Environment;
  /** Ascending row counts (measured largest first); the headline row count is one of them. */
  sizes: SizeResult[];
  status: StatusBenchResult;
  /** The rollout scenarios (rollout-scenarios.ts); null when none ran, absent from results written before them. */
  scenarios?: ScenarioResults | null;
  /** The replica-lag scenario (standby/), one per row count it ran at; absent from results written before it. */
  standby?: StandbyResults[];
  /** False in the results written after each round, until the last one. */
  complete: boolean;
}

/** `--only` measures no `status`. */
const NOT_MEASURED: StatusBenchResult = { runs: 0, oursMs: [], knexMs: [], oursMedianMs: 0, knexMedianMs: 0 };

export async function runBenchmark(
  server: { url: string; description: string; dataDir?: string },
  options: BenchOptions,
  log: (line: string) => void,
  onRound: (partial: BenchResult) => Promise<void> = async () => {},
): Promise<BenchResult> {
  const factory = await DatabaseFactory.open(server.url);
  const single = singleTransactionFolder();
  try {
    const pgbench = options.pgbench ? findPgbench() : null;
    const environment = await describeEnvironment(server, pgbenchDescription(options.pgbench, pgbench));
    log(`PostgreSQL ${environment.postgres} on ${environment.server}; ${environment.machine}; load average ${environment.loadAverage.toFixed(2)}`);
    if (options.pgbench && !pgbench) log(`warning: ${PGBENCH_MISSING}`);
    const load = loadPlan(options);
    const steps = phasedSteps();
    if (!options.only) log('status on an up-to-date database ...');
    const status = options.only ? NOT_MEASURED : await benchmarkStatus(factory, options.statusRuns, log);
    // Largest first: the issue states its targets at the largest size, and a run stopped part-way keeps it.
    const rowCounts = options.only ? [] : [...new Set([...options.sizes, options.rows])].sort((a, b) => b - a);
    const sizes: SizeResult[] = [];
    let scenarios: ScenarioResults | null = null;
    const runScenarios = async (templates: Templates) => {
      log(`${templates.rows.toLocaleString('en-US')} rows: rollout scenarios (${options.scenarios.join(', ')}) ...`);
      const drain = { rounds: options.drainRounds, segmentSeconds: options.drainSegmentSeconds, explainRepetitions: DRAIN_EXPLAIN_REPETITIONS };
      scenarios = await benchmarkScenarios(factory, templates, { ...options, scenarios: rollout, load, drain }, log, (soFar) => onRound({ ...result(false), scenarios: soFar }));
    };
    const standby: StandbyResults[] = [];
    const runStandby = async (templates: Templates) => {
      const rounds = standbyRounds(options, templates.rows);
      if (rounds === 0) return;
      log(`${templates.rows.toLocaleString('en-US')} rows: standby scenario ...`);
      const settings = { load, lockSampleMs: options.lockSampleMs, phasedSteps: steps };
      standby.push(await benchmarkStandby(server, factory, templates, rounds, settings, log, (soFar) => onRound({ ...result(false), standby: [...standby, soFar] })));
    };
    const rollout = options.scenarios.filter((name) => name !== 'standby');
    const wantsScenarios = rollout.length > 0;
    const result = (complete: boolean, current: SizeResult[] = []): BenchResult => ({
      options,
      load,
      phasedSteps: steps.map((s) => s.phase),
      environment: { ...environment, loadAverageAfter: os.loadavg()[0]! },
      sizes: [...sizes, ...current].sort((a, b) => a.rows - b.rows),
      status,
      scenarios,
      standby,
      complete,
    });
    for (const rows of rowCounts) {
      log(`${rows.toLocaleString('en-US')} rows: building the template databases ...`);
      const templates = await buildTemplates(factory, rows, log);
      const seedRuns = options.seedMaxRows !== null && rows > options.seedMaxRows ? 0 : (options.seedRuns ?? Infinity);
      const settings = {
        runs: rows >= HUGE_ROWS ? options.hugeRuns : options.runs,
        seedRuns,
        lockSampleMs: options.lockSampleMs,
        load,
        phasedSteps: steps,
        setup: { singleTransactionDir: single.dir },
        earlyDeploy: options.earlyDeploy,
        pgbench,
        contenders: options.contenders,
      };
      sizes.push(await benchmarkMigration(factory, templates, settings, log, (soFar) => onRound(result(false, [soFar]))));
      if (wantsScenarios && rows === options.opsRows) await runScenarios(templates);
      await runStandby(templates);
      await factory.drop(templates.at006);
      await factory.drop(templates.at005);
    }
    if ((wantsScenarios || standbyRounds(options, options.opsRows) > 0) && !rowCounts.includes(options.opsRows)) {
      log(`${options.opsRows.toLocaleString('en-US')} rows: building the template databases ...`);
      const templates = await buildTemplates(factory, options.opsRows, log);
      if (wantsScenarios) await runScenarios(templates);
      await runStandby(templates);
      await factory.drop(templates.at006);
      await factory.drop(templates.at005);
    }
    return result(true);
  } finally {
    single.remove();
    await factory.close();
  }
}

/** Ten connections per version: enough that a normal request never waits for one. */
function loadPlan(options: BenchOptions): LoadPlan {
  return {
    ratePerVersion: options.appRate,
    connectionsPerVersion: 10,
    statementTimeoutMs: 60_000,
    marginMs: options.loadMarginMs,
    openTransactionMs: options.openTransactionSeconds * 1000,
  };
}

function pgbenchDescription(wanted: boolean, found: string | null): string {
  if (!wanted) return 'left out (--no-pgbench)';
  if (!found) return 'not installed';
  return execFileSync(found, ['--version'], { encoding: 'utf8' }).trim();
}

async function describeEnvironment(server: { url: string; description: string }, pgbench: string): Promise<Environment> {
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`;
  return withClient(server.url, async (client) => {
    const { rows: [v] } = await client.query(`SELECT current_setting('server_version') AS version`);
    const settings = await readReportedSettings(client);
    return {
      date: new Date().toISOString(),
      machine,
      node: process.version,
      postgres: v.version,
      server: server.description,
      settings,
      loadAverage: os.loadavg()[0]!,
      loadAverageAfter: null,
      pgbench,
    };
  });
}
