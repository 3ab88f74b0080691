/**
 * The benchmark's results as markdown (RESULTS.md, and what stdout shows):
 * the online migration first (issue #11), then the offline comparison and
 * `status` (issue #5), then the method. Everything in it comes from the run:
 * counts, settings, the verdicts, and links computed from where it is written.
 */
import type { BenchResult } from './benchmark';
import { dataDescription, methodSection } from './method-markdown';
import { offlineSection } from './offline-markdown';
import { onlineSection } from './online-markdown';
import { scenarioTargets } from './scenario-targets';
import { scenariosSection } from './scenarios-markdown';
import { standbySections } from './standby/standby-markdown';
import { standbyTargets } from './standby/standby-targets';
import { engineComparisonSection } from './engine-comparison-markdown';
import { ENGINE, engineSides, engineTargets } from './engine-targets';
import { SIDES, SIDE_LABELS } from './contenders';
import { alwaysMet, metCount, offlineTargets, onlineTargets, type TargetResult } from './targets';
import { formatMs, formatRows, loadAverageText } from './format';

export function resultsMarkdown(result: BenchResult, resultsDir: string): string {
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`${commandOptions(result)} on ${result.environment.date.slice(0, 10)}; see [How it was measured](#how-it-was-measured).`,
    '',
    ...partialNote(result),
    ...environmentTable(result),
    '',
    ...verdict(result),
    '',
    // --only: the rollout scenarios alone, without 006's comparison.
    ...(result.options.only ? [] : [...onlineSection(result), ...engineComparisonSection(result), ...offlineSection(result), '']),
    ...scenariosSection(result),
    ...standbySections(result),
    ...methodSection(result, resultsDir),
  ];
  return `${lines.join('\n')}\n`;
}

/** Results written after a round, before the run finished: say how far it got. */
function partialNote(result: BenchResult): string[] {
  if (result.complete) return [];
  const last = result.sizes.at(-1);
  const rounds = last ? new Set(last.runs.map((r) => r.round)).size : 0;
  const where = last ? ` at ${formatRows(last.rows)} rows after round ${rounds}` : '';
  return [`**Partial results**: the run stopped${where}, before every round asked for had run; everything below comes from the rounds that finished.`, ''];
}

function commandOptions(result: BenchResult): string {
  const o = result.options;
  const parts = [`--rows ${o.rows}`, `--sizes ${o.sizes.join(',')}`, `--runs ${o.runs}`];
  if (o.sizes.some((n) => n >= 10_000_000) && o.hugeRuns !== o.runs) parts.push(`--huge-runs ${o.hugeRuns}`);
  if (o.seedRuns !== null) parts.push(`--seed-runs ${o.seedRuns}`);
  if (o.seedMaxRows !== null) parts.push(`--seed-max-rows ${o.seedMaxRows}`);
  // Absent from results written before --contenders existed (every contender of the time ran).
  if (o.contenders && o.contenders.length < SIDES.length) parts.push(`--contenders ${o.contenders.map((side) => (side === 'ours' ? 'new' : side)).join(',')}`);
  if (o.only) parts.splice(0, parts.length, `--only ${o.scenarios.join(',')}`);
  // Results written before the A B B A rounds had --drain-seconds instead.
  const drain = o.drainRounds === undefined ? [`--drain-seconds ${(o as { drainSeconds?: number }).drainSeconds}`] : [`--drain-rounds ${o.drainRounds}`, `--drain-segment ${o.drainSegmentSeconds}`];
  if (o.scenarios?.length) parts.push(`--ops-rows ${o.opsRows}`, ...drain, `--drain-window ${o.drainWindowSeconds}`, `--old-stops-after ${o.oldStopsAfterSeconds}`);
  parts.push(`--app-rate ${o.appRate}`, `--open-transaction ${o.openTransactionSeconds}`, `--status-runs ${o.statusRuns}`, `--lock-sample ${o.lockSampleMs}`);
  // Absent from results written before --load-margin existed (1 s then); named only when not the default.
  if (o.loadMarginMs !== undefined && o.loadMarginMs !== 1_000) parts.push(`--load-margin ${o.loadMarginMs}`);
  return ` (\`${parts.join(' ')}\`)`;
}

function environmentTable(result: BenchResult): string[] {
  const env = result.environment;
  const settings = Object.entries(env.settings).map(([k, v]) => `${k} ${v}`).join(', ');
  const rounds = result.sizes.map((s) => `${new Set(s.runs.map((r) => r.round)).size} at ${formatRows(s.rows)} rows`).join(', ');
  // --only: the rollout scenarios' data and rounds are all there is.
  const onlyRows = result.scenarios?.rows ?? result.standby?.[0]?.rows;
  const only = result.options.only && onlyRows !== undefined ? `${formatRows(onlyRows)} users (rollout scenarios alone)` : null;
  return [
    '| | |',
    '| --- | --- |',
    `| machine | ${env.machine}; load average ${loadAverageText(env.loadAverage, env.loadAverageAfter)}${env.loadAverageAfter == null ? ' at the start' : ''} |`,
    `| second client | ${env.pgbench ?? 'not run'} |`,
    `| Node.js | ${env.node} |`,
    `| PostgreSQL | ${env.postgres}, ${env.server}; ${settings} |`,
    `| data | \`portal_users\`: ${only ?? dataDescription(result)} |`,
    only ? `| rounds | ${result.options.runs} of each rollout scenario; every run is listed |` : `| rounds | ${rounds}; ${result.options.statusRuns} per status command; every run is listed |`,
  ];
}

/** The one-paragraph answer: which targets every run met, and which not, with N of M. */
function verdict(result: BenchResult): string[] {
  const online = result.sizes.filter((s) => s.rows === 10_000_000).flatMap((s) => onlineTargets(s));
  const named = (label: string, targets: TargetResult[]) => {
    if (targets.length === 0) return [];
    const missed = targets.filter((t) => !alwaysMet(t));
    if (missed.length === 0) return [`- ${label}: every target met in every run.`];
    return [`- ${label}: **not met in every run**: ${missed.map((t) => `${t.what} (${t.target}): met in ${metCount(t)} of ${t.values.length} runs`).join('; ')}.`];
  };
  const engines = result.sizes.filter((s) => s.rows === ENGINE.atRows).flatMap((s) => engineSides(s).map((side) => ({ side, targets: engineTargets(s, side) })));
  const lines = [
    ...named(`Online migration at ${formatRows(10_000_000)} rows (issue #11)`, online),
    ...engines.flatMap(({ side, targets }) => named(`${SIDE_LABELS[side]} at ${formatRows(ENGINE.atRows)} rows (issue #22)`, targets)),
    ...named(`Offline comparison at ${formatRows(result.options.rows)} rows (issue #5)`, offlineTargets(result)),
    ...named(`Rollout scenarios at ${formatRows(result.scenarios?.rows ?? 0)} rows (issues #20, #23)`, scenarioTargets(result.scenarios)),
    ...(result.standby ?? []).flatMap((s) => named(`Replica lag with a standby at ${formatRows(s.rows)} rows (issue #22)`, standbyTargets(s))),
  ];
  const holds = result.sizes.flatMap((s) => {
    const values = onlineTargets(s).find((t) => t.what.startsWith('longest hold of a lock that stops'))?.values ?? [];
    return values.length > 0 ? [`${formatMs(Math.max(...values))} at ${formatRows(s.rows)} rows`] : [];
  });
  if (holds.length > 1) lines.push(`- Longest hold of a lock that stops the application's reads or writes, over all runs: ${holds.join(', ')}.`);
  if (online.length === 0 && !result.options.only) lines.unshift(`- Online migration: not measured at ${formatRows(10_000_000)} rows in this run (\`--huge\`); see the sizes below.`);
  const failed = result.sizes.flatMap((s) => s.runs.filter((r) => !r.ok).map((r) => `${formatRows(s.rows)} rows, ${r.side} ${r.direction} (${r.scenario}), round ${r.round + 1}: ${r.failure}`));
  if (failed.length > 0) lines.push(`- **Failed runs**: ${failed.join('; ')}.`);
  return ['**Summary.**', '', ...lines];
}
