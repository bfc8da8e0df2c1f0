/**
 * The simulated world's fault scenarios by name: what AIOPS_SCENARIO may say. Kept here, not beside
 * the scenarios in src/sources/sim/, so that config.ts checks the setting without reaching up into
 * the simulated world; each scenario's `name` is typed with these, and a test checks that every
 * name has its scenario.
 */
export const SCENARIO_NAMES = ['db-pool-exhaustion', 'bad-deploy', 'memory-leak', 'traffic-surge', 'crash-loop', 'slow-dependency'] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];
