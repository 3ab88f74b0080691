/** The scenarios by name, as `--only` and `--no-<name>` take them (rollout-scenarios.ts runs them; standby/standby-scenario.ts the standby). */
export type ScenarioName = 'ops' | 'drain-cost' | 'rolling-deploy' | 'standby';
export const SCENARIO_NAMES: readonly ScenarioName[] = ['ops', 'drain-cost', 'rolling-deploy', 'standby'];
