/**
 * The online-migration part of RESULTS.md (issue #11): per row count, the
 * targets run by run, what each application version saw in each window, the
 * locks per phase, the phases' durations, and the contenders end to end.
 */
import type { AppVersion } from './app-load/app-versions';
import type { VersionStats } from './app-load/latency-windows';
import type { BenchResult } from './benchmark';
import { SIDE_LABELS, SIDES } from './contenders';
import { eachRun, formatMs, formatRows, maxOf, minOf } from './format';
import type { RunMeasurement, Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import { maxLatency, runsOf, servedMaxLatency, windowOf } from './run-filters';
import { ONLINE, onlineTargets } from './targets';
import { targetTable } from './target-table';
import { clientComparison } from './client-comparison-markdown';

export const LATENCY_CHART_FILE = 'app-latency.svg';

const SCENARIO_LABELS: Record<Exclude<Scenario, 'idle'>, string> = {
  quiet: 'quiet table',
  'open-transaction': 'open application transaction',
  'early-deploy': 'new version deployed before expand (early deploy)',
};
const LOADED_SCENARIOS = ['quiet', 'open-transaction', 'early-deploy'] as const;

export function onlineSection(result: BenchResult): string[] {
  const sizes = [...result.sizes].sort((a, b) => b.rows - a.rows);
  return [
    '## Online migration: 006 while the application runs',
    '',
    `Each \`up\` below runs while two versions of the application read, update and insert \`portal_users\`, ${result.load.ratePerVersion} requests per second each: the **old** version (uses \`is_admin\`) and the **new** one (uses \`role\`). Issue #11 states its targets at ${formatRows(ONLINE.atRows)} rows; other sizes are shown for comparison. Values are listed run by run, in run order.`,
    '',
    `![Application latency over time while the phased up runs](${LATENCY_CHART_FILE})`,
    '',
    ...sizes.flatMap((size) => sizeSection(size)),
  ];
}

function sizeSection(size: SizeResult): string[] {
  const targets = onlineTargets(size);
  const rounds = new Set(size.runs.map((r) => r.round)).size;
  const lines = [`### ${formatRows(size.rows)} rows (${rounds} round${rounds === 1 ? '' : 's'})`, ''];
  if (targets.length > 0) {
    lines.push(...targetTable(targets), '');
    if (size.rows !== ONLINE.atRows) lines.push(`The targets are stated at ${formatRows(ONLINE.atRows)} rows; at ${formatRows(size.rows)} they are for comparison.`, '');
  } else {
    lines.push('006 ran without phases here, so the phase windows and targets do not apply.', '');
  }
  for (const scenario of LOADED_SCENARIOS) {
    const runs = runsOf(size, 'ours', 'up', scenario);
    if (runs.length === 0) continue;
    lines.push(`**What the application saw while the phased \`up\` ran, ${SCENARIO_LABELS[scenario]}** (a request counts in every window it was waiting or running in; an error where it came back):`, '');
    lines.push(...windowTable(runs), '', ...errorList(runs), '');
  }
  lines.push('**Locks the phased `up` took on `portal_users`, per phase** (longest single hold in each run; a wait is a request not yet granted, which the application queues behind):', '');
  lines.push(...lockTable(size), '');
  lines.push('**Phases** (each ends at the commit of its last transaction, the last one when the process exits; "(≤)": an upper bound, see the method):', '', ...phaseTable(size), '');
  lines.push(...clientComparison(size, SCENARIO_LABELS));
  lines.push('**Every contender under the same load** ("served versions": the old version until contract starts, or until a single transaction commits, and the new one from the end of expand; "all requests" also counts the new version\'s requests before `role` exists, which fail):', '', ...contenderTable(size), '');
  return lines;
}

const WINDOW_ORDER = ['before', 'expand', 'backfill', 'contract', 'after', 'whole run', 'start of expand to start of contract', 'from the end of expand on'];

function windowTable(runs: RunMeasurement[]): string[] {
  const names = WINDOW_ORDER.filter((name) => runs.some((r) => windowOf(r, name)));
  const cell = (name: string, version: AppVersion, pick: (v: VersionStats) => number, kind: 'ms' | 'count') =>
    eachRun(kind, runs.map((r) => windowOf(r, name)).filter((w) => w !== undefined).map((w) => pick(w.versions[version])));
  return [
    '| window | length | old: requests | old: errors | old: p99 | old: max | new: requests | new: errors | new: p99 | new: max |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...names.map((name) => {
      const lengths = runs.map((r) => windowOf(r, name)).filter((w) => w !== undefined).map((w) => w.to - w.from);
      const cells = (['old', 'new'] as const).flatMap((v) => [
        cell(name, v, (s) => s.requests, 'count'),
        cell(name, v, (s) => s.errors, 'count'),
        cell(name, v, (s) => s.p99Ms, 'ms'),
        cell(name, v, (s) => s.maxMs, 'ms'),
      ]);
      return `| ${name} | ${eachRun('ms', lengths)} | ${cells.join(' | ')} |`;
    }),
  ];
}

/** Each distinct error, per window and version, with its count over all runs. */
function errorList(runs: RunMeasurement[]): string[] {
  const seen = new Map<string, { window: string; version: AppVersion; message: string; count: number; runs: Set<number> }>();
  for (const run of runs) {
    for (const window of run.app?.windows ?? []) {
      if (!['before', 'expand', 'backfill', 'contract', 'after'].includes(window.name)) continue;
      for (const version of ['old', 'new'] as const) {
        for (const group of window.versions[version].errorGroups) {
          const key = `${window.name}/${version}/${group.message}`;
          const entry = seen.get(key) ?? { window: window.name, version, message: group.message, count: 0, runs: new Set<number>() };
          entry.count += group.count;
          entry.runs.add(run.round);
          seen.set(key, entry);
        }
      }
    }
  }
  if (seen.size === 0) return ['No request failed in any window.'];
  return [
    'Errors, all runs together:',
    '',
    ...[...seen.values()].map((e) => `- ${e.window}, ${e.version} version: ${e.count} × \`${e.message.replace(/`/g, "'")}\` (in ${e.runs.size} of ${runs.length} runs)`),
  ];
}

function lockTable(size: SizeResult): string[] {
  const quiet = runsOf(size, 'ours', 'up', 'quiet');
  const open = runsOf(size, 'ours', 'up', 'open-transaction');
  const keys = new Map<string, { phase: string; mode: string; granted: boolean; blocks: string | null }>();
  for (const run of [...quiet, ...open]) {
    for (const l of run.locks) keys.set(`${l.phase}/${l.mode}/${l.granted}`, { phase: l.phase, mode: l.mode, granted: l.granted, blocks: l.blocks });
  }
  const phaseOrder = ['expand', 'backfill', 'contract', 'migration'];
  const rows = [...keys.values()].sort((a, b) => phaseOrder.indexOf(a.phase) - phaseOrder.indexOf(b.phase) || a.mode.localeCompare(b.mode) || Number(b.granted) - Number(a.granted));
  const longest = (runs: RunMeasurement[], key: { phase: string; mode: string; granted: boolean }) =>
    runs.length === 0
      ? 'not measured'
      : runs
          .map((r) => r.locks.find((l) => l.phase === key.phase && l.mode === key.mode && l.granted === key.granted))
          .map((l) => (l ? formatMs(l.longestMs) : '–'))
          .join(' · ');
  const counts = (key: { phase: string; mode: string; granted: boolean }) =>
    [...quiet, ...open].map((r) => r.locks.find((l) => l.phase === key.phase && l.mode === key.mode && l.granted === key.granted)?.count ?? 0);
  return [
    '| phase | lock mode | stops the application\'s | longest, quiet table | longest, open transaction | times taken per run (min–max) |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...rows.map((k) => {
      const n = counts(k);
      return `| ${k.phase} | ${k.mode}${k.granted ? '' : ' (waiting)'} | ${k.blocks ?? 'nothing'} | ${longest(quiet, k)} | ${longest(open, k)} | ${minOf(n)}–${maxOf(n)} |`;
    }),
  ];
}

function phaseTable(size: SizeResult): string[] {
  const quiet = runsOf(size, 'ours', 'up', 'quiet');
  const open = runsOf(size, 'ours', 'up', 'open-transaction');
  const phases = [...new Set([...quiet, ...open].flatMap((r) => r.phases.map((p) => p.phase)))];
  const lengths = (runs: RunMeasurement[], phase: string) =>
    runs.length === 0
      ? 'not measured'
      : runs
          .map((r) => r.phases.find((p) => p.phase === phase))
          .map((p) => (p ? `${formatMs(p.to - p.from)}${p.exact ? '' : ' (≤)'}` : '–'))
          .join(' · ');
  return [
    '| phase | quiet table, each run | open transaction, each run |',
    '| --- | ---: | ---: |',
    ...phases.map((phase) => `| ${phase} | ${lengths(quiet, phase)} | ${lengths(open, phase)} |`),
  ];
}

function contenderTable(size: SizeResult): string[] {
  const rows: string[] = [];
  for (const scenario of LOADED_SCENARIOS) {
    for (const side of SIDES) {
      const runs = runsOf(size, side, 'up', scenario);
      if (runs.length === 0) continue;
      const walls = runs.map((r) => r.wallMs);
      const errors = (window: string, version: AppVersion) => eachRun('count', runs.map((r) => windowOf(r, window)?.versions[version].errors ?? 0));
      const failed = runs.filter((r) => !r.ok).length;
      rows.push(
        `| ${SIDE_LABELS[side]} | ${SCENARIO_LABELS[scenario]} | ${eachRun('ms', walls)} | ${formatMs(minOf(walls))} | ${formatMs(maxOf(walls))} | ${eachRun('ms', runs.map((r) => servedMaxLatency(r)))} | ${eachRun('ms', runs.map((r) => maxLatency(r)))} | ${errors('whole run', 'old')} | ${errors('whole run', 'new')} | ${errors('after', 'old')} | ${errors('after', 'new')} | ${failed === 0 ? 'none' : `**${failed}**`} |`,
      );
    }
  }
  return [
    '| contender | scenario | `up` wall time, each run | min | max | app max latency during `up`, served versions | the same, all requests | old version errors during `up` | new version errors during `up` | old version errors after | new version errors after | failed runs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
  ];
}
