/**
 * The offline part of RESULTS.md (issue #5): 006 `up` and `down` by every
 * contender against the seed's statements, the table's growth, and `status`
 * against the stock knex CLI and a bare node + pg script, run by run; then
 * time against rows.
 */
import type { BenchResult } from './benchmark';
import { SIDE_LABELS, SIDES, type Direction, type Side } from './contenders';
import { eachRun, formatBytes, formatRows } from './format';
import type { RunMeasurement } from './measured-run';
import type { SizeResult } from './migration-bench';
import { median } from './median';
import { targetTable } from './target-table';
import { headline, offlineTargets } from './targets';

export const CHART_FILE = 'migration-time.svg';

/** `up` is measured under the application's load (quiet table), `down` on an idle database. */
export const offlineRuns = (size: SizeResult, side: Side, direction: Direction): RunMeasurement[] =>
  size.runs.filter((r) => r.side === side && r.direction === direction && r.scenario === (direction === 'up' ? 'quiet' : 'idle'));

export function offlineSection(result: BenchResult): string[] {
  const size = headline(result);
  if (!size) return [`## Offline comparison at ${formatRows(result.options.rows)} rows`, '', 'Not measured yet: these results were written part-way through the run.'];
  return [
    `## Offline comparison at ${formatRows(size.rows)} rows: 006 against the seed, and \`status\``,
    '',
    '`up` runs under the same application load as above (quiet table); `down` on an idle database.',
    '',
    ...targetTable(offlineTargets(result)),
    '',
    ...contenderTimes(size),
    '',
    '## Migration time against rows',
    '',
    `![006 wall time against rows, by contender](${CHART_FILE})`,
    '',
    ...scalingTable(result),
  ];
}

function contenderTimes(size: SizeResult): string[] {
  const sizeCell = (runs: RunMeasurement[], pick: 'total' | 'heap') =>
    runs.length === 0 ? '–' : `${formatBytes(median(runs.map((r) => r.before[pick])))} → ${formatBytes(median(runs.map((r) => r.after[pick])))}`;
  return [
    '| contender | direction | wall time, each run | AccessExclusiveLock on portal_users, each run | portal_users total size before → after (median) | heap before → after (median) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...(['up', 'down'] as const).flatMap((direction) =>
      // A contender that does not run this way (the #22 contenders go up only), or was left out, has no row.
      SIDES.filter((side) => offlineRuns(size, side, direction).length > 0).map((side) => {
        const runs = offlineRuns(size, side, direction);
        return `| ${SIDE_LABELS[side]} | ${direction} | ${eachRun('ms', runs.map((r) => r.wallMs))} | ${eachRun('ms', runs.map((r) => r.lock.ms))} | ${sizeCell(runs, 'total')} | ${sizeCell(runs, 'heap')} |`;
      }),
    ),
  ];
}

function scalingTable(result: BenchResult): string[] {
  const columns = (['up', 'down'] as const)
    .flatMap((direction) => SIDES.map((side) => ({ direction, side })))
    .filter(({ direction, side }) => result.sizes.some((s) => offlineRuns(s, side, direction).length > 0));
  return [
    `| rows | ${columns.map((c) => `\`${c.direction}\`: ${SIDE_LABELS[c.side]} (median)`).join(' | ')} |`,
    `| ---: | ${columns.map(() => '---:').join(' | ')} |`,
    ...result.sizes.map((s) => {
      const cells = columns.map(({ direction, side }) => {
        const runs = offlineRuns(s, side, direction);
        return runs.length === 0 ? 'not run' : eachRun('ms', [median(runs.map((r) => r.wallMs))]);
      });
      return `| ${formatRows(s.rows)} | ${cells.join(' | ')} |`;
    }),
  ];
}
