/**
 * The rollout scenarios, measured at one row count (`--ops-rows`) in rounds,
 * beside 006's online and offline comparison:
 * - ops (issue #20 item 6): a migration of operations (rename, type change,
 *   index) against the same change as a plain migration, under both versions;
 * - drain-cost (issue #23 item 3): the application's latency in the expanded
 *   006 with and without the drain gate's write recorder;
 * - rolling-deploy (issue #23 item 4): `up --expand`, then `complete --wait`
 *   while the old version drains.
 * Each can be left out (`--no-<name>`) or run alone (`--only <names>`).
 */
import type { DatabaseFactory } from './databases';
import { measureDrainCost, type DrainCostPlan, type DrainCostRun } from './drain/drain-cost';
import { measureRollingDeploy, type RollingDeployRun } from './drain/rolling-deploy';
import type { LoadPlan } from './measured-run';
import { OPS_CONTENDERS, opsFolders } from './ops/ops-folders';
import { measureOpsRun, type OpsRun } from './ops/ops-run';
import { servedDuring, servedErrors, longestBlocking } from './ops/ops-measures';
import type { ScenarioName } from './scenario-names';
import type { Templates } from './templates';


export interface ScenarioSettings {
  scenarios: readonly ScenarioName[];
  runs: number;
  lockSampleMs: number;
  load: LoadPlan;
  /** The drain-cost comparison's rounds (both copies loaded at once), their length, and the server-side repetitions. */
  drain: DrainCostPlan;
  /** `complete --drain-window` in the rolling deploy, in seconds. */
  drainWindowSeconds: number;
  /** Seconds after `complete` starts that the old version is retired. */
  oldStopsAfterSeconds: number;
}

export interface ScenarioResults {
  rows: number;
  /** Which scenarios ran (the others' lists are empty). */
  scenarios: ScenarioName[];
  drain: DrainCostPlan;
  drainWindowSeconds: number;
  oldStopsAfterSeconds: number;
  ops: OpsRun[];
  drainCost: DrainCostRun[];
  rollingDeploy: RollingDeployRun[];
}

export async function benchmarkScenarios(
  factory: DatabaseFactory,
  templates: Templates,
  settings: ScenarioSettings,
  log: (line: string) => void,
  afterRound: (soFar: ScenarioResults) => Promise<void> = async () => {},
): Promise<ScenarioResults> {
  const result: ScenarioResults = {
    rows: templates.rows,
    scenarios: [...settings.scenarios],
    drain: settings.drain,
    drainWindowSeconds: settings.drainWindowSeconds,
    oldStopsAfterSeconds: settings.oldStopsAfterSeconds,
    ops: [],
    drainCost: [],
    rollingDeploy: [],
  };
  const wanted = (name: ScenarioName) => settings.scenarios.includes(name);
  const folders = wanted('ops') ? opsFolders() : null;
  const tag = (round: number) => `  round ${round + 1}/${settings.runs}`;
  try {
    for (let round = 0; round < settings.runs; round++) {
      if (folders) {
        const order = round % 2 === 0 ? OPS_CONTENDERS : [...OPS_CONTENDERS].reverse();
        for (const contender of order) {
          const run = await measureOpsRun({ factory, templates, folders, lockSampleMs: settings.lockSampleMs, load: settings.load }, contender, round);
          log(`${tag(round)} ops ${contender.padEnd(10)}: ${Math.round(run.wallMs)} ms, blocking hold ${Math.round(longestBlocking(run))} ms, served max ${Math.round(servedDuring(run, 'maxMs'))} ms, errors old ${servedErrors(run, 'old')} new ${servedErrors(run, 'new')}${run.ok ? '' : `, FAILED: ${run.failure}`}`);
          result.ops.push(run);
        }
      }
      if (wanted('drain-cost')) {
        const run = await measureDrainCost(factory, templates, settings.load, settings.drain, round);
        const ratio = (v: 'old' | 'new') => (run.ratios ? `${v} median ${run.ratios[v].median.toFixed(3)}x, pooled ${run.ratios[v].pooled.toFixed(3)}x (95 % ${run.ratios[v].interval.map((x) => x.toFixed(3)).join('–')}, ${run.ratios[v].verdict})` : '?');
        log(`${tag(round)} drain cost, p99 with / without the recorder over ${settings.drain.rounds} rounds, both copies loaded at once: ${ratio('old')}; ${ratio('new')}${run.ok ? '' : `, FAILED: ${run.failure}`}`);
        result.drainCost.push(run);
      }
      if (wanted('rolling-deploy')) {
        const run = await measureRollingDeploy(factory, templates, settings, round);
        const ms = (v: number | null) => (v === null ? '?' : `${Math.round(v)} ms`);
        log(`${tag(round)} rolling deploy: complete waited ${ms(run.waitedMs)}, contract ${ms(run.contractAfterOldMs)} after the old version's last request, errors old ${run.versions.old.errors} new ${run.versions.new.errors}${run.ok ? '' : `, FAILED: ${run.failure}`}`);
        result.rollingDeploy.push(run);
      }
      await afterRound({ ...result, ops: [...result.ops], drainCost: [...result.drainCost], rollingDeploy: [...result.rollingDeploy] });
    }
    return result;
  } finally {
    folders?.remove();
  }
}
