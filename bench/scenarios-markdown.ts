/**
 * The rollout scenarios' part of RESULTS.md: their targets run by run, then a
 * section each (operations, the drain recorder's cost, the rolling deploy),
 * each with its method.
 */
import type { BenchResult } from './benchmark';
import { drainCostSection, rollingDeploySection } from './drain/drain-markdown';
import { formatRows } from './format';
import { opsSection } from './ops/ops-markdown';
import { scenarioTargets } from './scenario-targets';
import { targetTable } from './target-table';

export function scenariosSection(result: BenchResult): string[] {
  const s = result.scenarios;
  if (!s) return [];
  const rounds = new Set([...s.ops, ...s.drainCost, ...s.rollingDeploy].map((r) => r.round)).size;
  const rate = result.load.ratePerVersion;
  return [
    `## Rollout scenarios at ${formatRows(s.rows)} rows: operations and the drain gate (issues #20, #23)`,
    '',
    `${rounds} round${rounds === 1 ? '' : 's'} of ${s.scenarios.join(', ')}, each on fresh copies of the same data, under the application load described in the method (${rate} requests per second per version). Targets are reported run by run, never asserted.`,
    '',
    ...targetTable(scenarioTargets(s)),
    '',
    ...opsSection(s.ops, rate),
    ...drainCostSection(s.drainCost, rate),
    ...rollingDeploySection(s.rollingDeploy, s.drainWindowSeconds, s.oldStopsAfterSeconds),
  ];
}
