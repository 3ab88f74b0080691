/**
 * The two clients side by side (issue #27): per contender and scenario, the
 * served versions' max and p99 latency as the Node pg load saw them and as
 * pgbench saw them in the same runs. Close values say the latency is the
 * database's; a gap says one load generator adds its own.
 */
import { SIDE_LABELS, SIDES } from './contenders';
import { eachRun } from './format';
import type { Scenario } from './measured-run';
import type { SizeResult } from './migration-bench';
import { runsOf, servedLatency } from './run-filters';

export function clientComparison(size: SizeResult, labels: Record<Exclude<Scenario, 'idle'>, string>): string[] {
  const rows: string[] = [];
  for (const scenario of Object.keys(labels) as Array<Exclude<Scenario, 'idle'>>) {
    for (const side of SIDES) {
      const runs = runsOf(size, side, 'up', scenario).filter((r) => r.app?.pgbench);
      if (runs.length === 0) continue;
      const cell = (value: (r: (typeof runs)[number]) => number) => eachRun('ms', runs.map(value));
      const aborted = runs.map((r) => r.app!.pgbench!.abortedClients.old + r.app!.pgbench!.abortedClients.new);
      rows.push(
        `| ${SIDE_LABELS[side]} | ${labels[scenario]} | ${cell((r) => servedLatency(r, 'maxMs', 'node'))} | ${cell((r) => servedLatency(r, 'maxMs', 'pgbench'))} | ${cell((r) => servedLatency(r, 'p99Ms', 'node'))} | ${cell((r) => servedLatency(r, 'p99Ms', 'pgbench'))} | ${eachRun('count', runs.map((r) => r.app!.reconnects.old + r.app!.reconnects.new))} | ${eachRun('count', aborted)} |`,
      );
    }
  }
  if (rows.length === 0) return [];
  return [
    '**Two clients, the same runs** (served versions during `up`; p99: the highest of any phase; Node pg: the load above, pgbench: the same reads and updates by Debian\'s pgbench beside it; reconnects: connections the Node load opened during the run; pgbench clients end on their first error, e.g. the old version\'s once contract drops `is_admin`):',
    '',
    '| contender | scenario | max, Node pg | max, pgbench | p99, Node pg | p99, pgbench | Node pg reconnects | pgbench clients ended by an error |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ];
}
