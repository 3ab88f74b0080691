/**
 * Revision 006 at one row count, in rounds. Each round runs, on fresh copies of
 * the same template:
 * - `up` under the application's load on a quiet table, by every contender;
 * - `up` under load with an application transaction open across its start, by
 *   every contender;
 * - `down` on an idle database, by every contender;
 * - with --early-deploy, `up` by konstruct-migrate with the new version sending
 *   from the start (reported apart: it measures the deploy mistake, not the tool).
 * The contenders of issue #22 (today's engine, the pgroll-style backfill) run
 * `up` only; each round also times the backfill's floor (backfill-floor.ts)
 * when a contender with a backfill takes part. `--contenders` picks who runs.
 * The order of the contenders alternates from round to round, so that a slow
 * moment of the shared machine does not always fall on the same one. The seed
 * can be left out of some rounds or sizes (it takes minutes at 10M rows).
 */
import { measureBackfillFloor } from './backfill-floor';
import { BACKFILL_SIDES, DOWN_SIDES, SIDES, type ContenderSetup, type Direction, type Side } from './contenders';
import type { DatabaseFactory } from './databases';
import { measureRun, type LoadPlan, type RunMeasurement, type RunPlan, type Scenario } from './measured-run';
import type { PhaseName } from './phase-timeline';
import { maxLatency, servedLatency, servedMaxLatency } from './run-filters';
import type { Templates } from './templates';

export interface SizeResult {
  rows: number;
  /** Admins counted in the data (is_admin = true before `up`). */
  admins: number;
  runs: RunMeasurement[];
  /** The backfill's floor, one per round (issue #22); absent in results written before it was measured. */
  floorMs?: number[];
}

export interface MigrationBenchSettings {
  runs: number;
  /** Rounds that include the seed's statements (the first ones). */
  seedRuns: number;
  lockSampleMs: number;
  load: LoadPlan;
  phasedSteps: ReadonlyArray<{ phase: PhaseName }>;
  setup: ContenderSetup;
  /** Also run the early-deploy scenario. */
  earlyDeploy: boolean;
  /** pgbench's path: the second client beside the Node load; null to leave it out. */
  pgbench: string | null;
  /** Who takes part (--contenders). */
  contenders: readonly Side[];
}

interface RoundPart {
  direction: Direction;
  scenario: Scenario;
  sides: readonly Side[];
}

/** What each round measures, in order: direction, scenario, and who takes part. A new scenario is one more part. */
const ROUND: readonly RoundPart[] = [
  { direction: 'up', scenario: 'quiet', sides: SIDES },
  { direction: 'up', scenario: 'open-transaction', sides: SIDES },
  { direction: 'down', scenario: 'idle', sides: DOWN_SIDES },
];
const EARLY_DEPLOY: RoundPart = { direction: 'up', scenario: 'early-deploy', sides: ['ours'] };

export async function benchmarkMigration(
  factory: DatabaseFactory,
  templates: Templates,
  settings: MigrationBenchSettings,
  log: (line: string) => void,
  afterRound: (soFar: SizeResult) => Promise<void> = async () => {},
): Promise<SizeResult> {
  const { setup, lockSampleMs, load, phasedSteps, pgbench } = settings;
  const context = { factory, templates, setup, lockSampleMs, load, phasedSteps, pgbench };
  const parts = settings.earlyDeploy ? [...ROUND, EARLY_DEPLOY] : ROUND;
  const runs: RunMeasurement[] = [];
  const floorMs: number[] = [];
  const withFloor = settings.contenders.some((side) => BACKFILL_SIDES.includes(side));
  for (let round = 0; round < settings.runs; round++) {
    if (withFloor) {
      floorMs.push(await measureBackfillFloor(factory, templates));
      log(`  round ${round + 1}/${settings.runs} the backfill's floor (one UPDATE of the admins, alone): ${Math.round(floorMs.at(-1)!)} ms`);
    }
    for (const part of parts) {
      const sides = part.sides.filter((side) => settings.contenders.includes(side) && (side !== 'seed' || round < settings.seedRuns));
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const plan: RunPlan = { side, direction: part.direction, scenario: part.scenario, round };
        const run = await measureRun(context, plan);
        log(`  ${describe(plan, settings.runs)}: ${summary(run)}`);
        runs.push(run);
      }
    }
    await afterRound({ rows: templates.rows, admins: templates.admins, runs: [...runs], ...(withFloor ? { floorMs: [...floorMs] } : {}) });
  }
  return { rows: templates.rows, admins: templates.admins, runs, ...(withFloor ? { floorMs } : {}) };
}

function describe(plan: RunPlan, rounds: number): string {
  return `round ${plan.round + 1}/${rounds} ${plan.direction} ${plan.scenario.padEnd(16)} ${plan.side.padEnd(6)}`;
}

function summary(run: RunMeasurement): string {
  const parts = [`${Math.round(run.wallMs)} ms`, `AccessExclusiveLock ${Math.round(run.lock.ms)} ms`];
  const backfill = run.phases.find((p) => p.phase === 'backfill');
  if (backfill) parts.push(`backfill ${Math.round(backfill.to - backfill.from)} ms`);
  if (run.app) parts.push(`app max ${Math.round(servedMaxLatency(run))} ms (all requests ${Math.round(maxLatency(run))} ms, reconnects ${run.app.reconnects.old}/${run.app.reconnects.new})`);
  if (run.app?.pgbench) parts.push(`pgbench max ${Math.round(servedLatency(run, 'maxMs', 'pgbench'))} ms`);
  if (!run.ok) parts.push(`FAILED: ${run.failure}`);
  return parts.join(', ');
}
