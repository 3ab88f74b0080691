/** The rollout scenarios' targets, run by run, in the order RESULTS.md lists them. */
import { drainCostTargets, rollingDeployTargets } from './drain/drain-targets';
import { opsTargets } from './ops/ops-measures';
import type { ScenarioResults } from './rollout-scenarios';
import type { TargetResult } from './targets';

export function scenarioTargets(scenarios: ScenarioResults | null | undefined): TargetResult[] {
  if (!scenarios) return [];
  const has = (name: ScenarioResults['scenarios'][number]) => scenarios.scenarios.includes(name);
  return [
    ...(has('ops') ? opsTargets(scenarios.ops) : []),
    ...(has('drain-cost') ? drainCostTargets(scenarios.drainCost) : []),
    ...(has('rolling-deploy') ? rollingDeployTargets(scenarios.rollingDeploy) : []),
  ];
}
