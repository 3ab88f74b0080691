/**
 * The side-by-side of issue #22 in RESULTS.md: per row count, the backfill's
 * floor, each engine's targets run by run ("met in N of M runs"), and one table
 * of what each contender did under the same load: the application's max and
 * p99 latency by both clients, total time, backfill time against the floor,
 * and all phases against the single-transaction 006 of the same round.
 */
import type { BenchResult } from './benchmark';
import { SIDE_LABELS, TODAYS_ENGINE_FLAGS, type Side } from './contenders';
import { ENGINE, backfillMs, engineSides, engineTargets, overFloor, overSingle } from './engine-targets';
import { PGROLL_STYLE } from './pgroll-style-backfill';
import { eachRun, formatRows, formatValue, maxOf, minOf, type ValueKind } from './format';
import type { RunMeasurement, Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import { runsOf, servedLatency, type LoadClient } from './run-filters';
import { targetTable } from './target-table';

const SCENARIOS: ReadonlyArray<[Scenario, string]> = [
  ['quiet', 'quiet table'],
  ['open-transaction', 'open application transaction'],
];

export function engineComparisonSection(result: BenchResult): string[] {
  const sizes = [...result.sizes].sort((a, b) => b.rows - a.rows).filter((s) => engineSides(s).length > 0);
  if (sizes.length === 0) return [];
  return [
    '## Backfill engines side by side (issue #22)',
    '',
    `The same \`up\` of 006 under the same load, by: ${SIDE_LABELS.ours}, the new engine (default flags: batches sized to take about 50 ms, the first attempt of a step a short probe, then waiting outside the lock queue); ` +
      `${SIDE_LABELS.today} (the CLI with \`${TODAYS_ENGINE_FLAGS.join(' ')}\`: adaptive sizing off; its lock handling is the current engine's); ` +
      `${SIDE_LABELS.pgroll} (006's expand and contract, then batches of ${formatRows(PGROLL_STYLE.batchRows)} rows by \`id\`, each row updated to itself, lock_timeout ${PGROLL_STYLE.lockTimeoutMs} ms, ` +
      `after a lock timeout a random pause below ${PGROLL_STYLE.backoffFromMs / 1000} s, doubling up to ${PGROLL_STYLE.backoffToMs / 60_000} min). ` +
      "The floor is the backfill's work alone: one unbatched `UPDATE` of the admins on a copy with `role` added, no load, no migration, timed once per round. " +
      `Issue #22 states its targets at ${formatRows(ENGINE.atRows)} rows. Values are listed run by run; "spread" is the largest minus the smallest. ` +
      'Replica lag with a standby attached is not measured yet.',
    '',
    ...sizes.flatMap((size) => sizeSection(size)),
  ];
}

function sizeSection(size: SizeResult): string[] {
  const sides = engineSides(size);
  const lines = [`### ${formatRows(size.rows)} rows`, ''];
  lines.push(`The backfill's floor (one \`UPDATE\` of the ${formatRows(size.admins)} admins, alone): ${withSpread('ms', size.floorMs ?? [])}.`, '');
  if (size.rows !== ENGINE.atRows) lines.push(`The targets are stated at ${formatRows(ENGINE.atRows)} rows; at ${formatRows(size.rows)} they are for comparison.`, '');
  for (const side of sides) lines.push(`**${SIDE_LABELS[side]}**:`, '', ...targetTable(engineTargets(size, side)), '');
  lines.push(...comparisonTable(size, sides), '');
  return lines;
}

/** "12 ms · 15 ms (spread 3 ms)"; one value has no spread. */
export function withSpread(kind: ValueKind, values: number[]): string {
  if (values.length < 2) return eachRun(kind, values);
  return `${eachRun(kind, values)} (spread ${formatValue(kind, maxOf(values) - minOf(values))})`;
}

function comparisonTable(size: SizeResult, sides: Side[]): string[] {
  const rows: string[] = [];
  for (const [scenario, label] of SCENARIOS) {
    for (const side of sides) {
      const runs = runsOf(size, side, 'up', scenario);
      if (runs.length === 0) continue;
      const latency = (stat: 'maxMs' | 'p99Ms', client: LoadClient) =>
        client === 'pgbench' && !runs.some((r) => r.app?.pgbench) ? 'not run' : withSpread('ms', runs.map((r) => servedLatency(r, stat, client)));
      const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);
      const cells = [
        latency('maxMs', 'node'),
        latency('p99Ms', 'node'),
        latency('maxMs', 'pgbench'),
        latency('p99Ms', 'pgbench'),
        withSpread('ms', runs.map((r) => r.wallMs)),
        withSpread('ms', defined(runs.map(backfillMs))),
        withSpread('times', defined(runs.map((r) => overFloor(size, r)))),
        withSpread('times', overSingle(size, side, scenario).map((r) => r.ratio)),
        failedCell(runs),
      ];
      rows.push(`| ${SIDE_LABELS[side]} | ${label} | ${cells.join(' | ')} |`);
    }
  }
  return [
    '**Each contender, each run** (latency: the served versions during `up`, as in the tables above):',
    '',
    '| contender | scenario | app max, Node pg | app p99, Node pg | app max, pgbench | app p99, pgbench | total time | backfill | backfill / floor | all phases / single-transaction 006 (same round and scenario) | failed runs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
  ];
}

function failedCell(runs: RunMeasurement[]): string {
  const failed = runs.filter((r) => !r.ok).length;
  return failed === 0 ? 'none' : `**${failed}**`;
}
