import type { RankRootCauses } from '../agent/tools/create-tools.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import { collectRootCauseInput } from './collect-root-cause-input.js';
import type { AnswerDependencies } from './deterministic-answer.js';
import { investigationScope } from './services-in-scope.js';

/**
 * The root-cause engine over the live sources, as the agent's rank_root_causes tool calls it: the
 * services asked about and everything they call (and their callers, when they are merely busy),
 * dated by the anomalies detection raised there.
 */
export function liveRootCauses(dependencies: AnswerDependencies): RankRootCauses {
  return async (services) => {
    const now = dependencies.now();
    const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
    const recent = await dependencies.anomalies.since(now - windowMinutes * 60_000);
    const scope = investigationScope(dependencies.catalogue, services, recent).services;
    const names = new Set(scope.map((service) => service.name));
    const anomalies = recent.filter((anomaly) => names.has(anomaly.service));
    const { input, problems } = await collectRootCauseInput(scope, dependencies, { now, anomalies, symptom: services.length === 1 ? services[0] : undefined });
    // With nothing in anomaly the engine still orders services by how much they moved; a model must not read that as a cause.
    const caveats = [
      ...(anomalies.length === 0 ? [`Detection raised no anomaly on these services in the last ${windowMinutes} minutes: the ranking below orders ordinary fluctuation and names no fault.`] : []),
      ...problems.map((problem) => `Could not read ${problem}: the ranking rests on the other evidence.`),
    ];
    return { ...rankRootCauses(input), anomalyStart: input.anomalyStart, ...(caveats.length > 0 ? { caveat: caveats.join('\n') } : {}) };
  };
}
