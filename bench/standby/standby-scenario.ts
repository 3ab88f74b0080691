/**
 * The replica-lag scenario (issue #22 item 5): a streaming standby attached to
 * the benchmark's own server (a base backup of it, test/support/attach-standby.ts),
 * then in each round the new engine's `up` with the health throttle on and off
 * (standby-run.ts), in alternating order so that a drift of the machine weighs
 * on both. It runs at --ops-rows (default --rows) and, with --huge, at 10M rows,
 * the sizes where the issue states its targets. Without a pg_basebackup of the
 * server's major, or on a server that is not the benchmark's own
 * (BENCH_DATABASE_URL), it says why in one line and the rest of the benchmark runs.
 */
import { HEALTH_DEFAULTS } from '../../src/engine/health-throttle';
import { attachStandby, connectKnex, standbyToolsMissing } from '../../test/support/attach-standby';
import { HUGE_ROWS, type BenchOptions } from '../bench-options';
import type { DatabaseFactory } from '../databases';
import type { LoadPlan } from '../measured-run';
import type { PhaseName } from '../phase-timeline';
import type { Templates } from '../templates';
import { LAG_SAMPLE_MS, measureStandbyRun, type StandbyRun } from './standby-run';

export interface StandbyResults {
  rows: number;
  /** Why it did not run (null: it did). */
  skipped: string | null;
  /** The throttle's limit in the runs with it on (--max-replica-lag's default), and the lag's sampling interval. */
  maxReplicaLagSeconds: number;
  sampleMs: number;
  /** How long the base backup took, ms. */
  attachMs: number | null;
  runs: StandbyRun[];
}

export interface StandbyServer {
  url: string;
  /** Set only for the benchmark's own embedded server: the one a base backup may copy. */
  dataDir?: string;
}

export interface StandbySettings {
  load: LoadPlan;
  lockSampleMs: number;
  phasedSteps: ReadonlyArray<{ phase: PhaseName }>;
}

/** Rounds of the scenario at this row count (0: it does not run here). */
export function standbyRounds(options: Pick<BenchOptions, 'scenarios' | 'opsRows' | 'runs' | 'hugeRuns'>, rows: number): number {
  if (!options.scenarios.includes('standby')) return 0;
  if (rows >= HUGE_ROWS) return options.hugeRuns;
  return rows === options.opsRows ? options.runs : 0;
}

/** Why the scenario cannot run on this machine and server, or null. */
export function standbyUnavailable(server: StandbyServer): string | null {
  if (!server.dataDir) return 'not run: the standby is attached only to the benchmark\'s own embedded server (not BENCH_DATABASE_URL\'s, which a base backup would copy here whole)';
  const missing = standbyToolsMissing();
  return missing ? `not run: ${missing}` : null;
}

export async function benchmarkStandby(
  server: StandbyServer,
  factory: DatabaseFactory,
  templates: Templates,
  rounds: number,
  settings: StandbySettings,
  log: (line: string) => void,
  afterRound: (soFar: StandbyResults) => Promise<void> = async () => {},
): Promise<StandbyResults> {
  const result: StandbyResults = { rows: templates.rows, skipped: standbyUnavailable(server), maxReplicaLagSeconds: HEALTH_DEFAULTS.maxReplicaLag, sampleMs: LAG_SAMPLE_MS, attachMs: null, runs: [] };
  if (result.skipped) {
    log(`  standby: ${result.skipped}`);
    return result;
  }
  log(`  standby: base backup of the server (${templates.rows.toLocaleString('en-US')} rows) ...`);
  const attachStarted = performance.now();
  // fsync on, like the benchmark's server: a standby that skips it would replay faster than a real one.
  const standby = await attachStandby(server, 'bench', { fsync: 'on' });
  result.attachMs = performance.now() - attachStarted;
  const primary = connectKnex(server.url);
  try {
    const context = { factory, templates, standby, primary, primaryUrl: server.url, ...settings };
    for (let round = 0; round < rounds; round++) {
      for (const throttle of round % 2 === 0 ? [true, false] : [false, true]) {
        const run = await measureStandbyRun(context, throttle, round);
        log(`  round ${round + 1}/${rounds} standby, throttle ${throttle ? 'on ' : 'off'}: ${describe(run)}`);
        result.runs.push(run);
      }
      await afterRound({ ...result, runs: [...result.runs] });
    }
    return result;
  } finally {
    await primary.destroy();
    await standby.stop();
  }
}

function describe(run: StandbyRun): string {
  const ms = (v: number | null) => (v === null ? '?' : `${Math.round(v)} ms`);
  const rate = run.rowsPerSecond === null ? '?' : `${Math.round(run.rowsPerSecond).toLocaleString('en-US')} rows/s`;
  return `backfill ${ms(run.backfillMs)} (${rate}), lag p99 ${ms(run.backfillLag.p99Ms)} max ${ms(run.backfillLag.maxMs)} (${run.backfillLag.samples} samples), held ${ms(run.heldMs)} in ${run.holds}, caught up ${ms(run.caughtUpMs)} after${run.ok ? '' : `, FAILED: ${run.failure}`}`;
}
