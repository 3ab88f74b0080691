/** The rollout scenarios by name, as `--only` and `--no-<name>` take them (rollout-scenarios.ts runs them). */
export type ScenarioName = 'ops' | 'drain-cost' | 'rolling-deploy';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['ops', 'drain-cost', 'rolling-deploy'];
