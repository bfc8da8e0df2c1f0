import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { deserialiseServiceModel, multivariateAnomalies } from '../detection/service-model.js';
import { predictiveAnomaly, type CapacityName } from '../forecast/predictive-alert.js';
import type { Logger } from '../logger.js';
import type { Cluster } from '../sources/cluster.js';
import type { Sample } from '../sources/metrics.js';
import { SIGNALS, type Signal } from '../sources/signals.js';
import type { ModelStore } from '../state/model-store.js';
import { alignRows } from './train-service.js';

export interface FindingsDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  models: ModelStore;
  logger: Logger;
  /** Only findings at or after `now - emitWindowMinutes` are raised (default 15). */
  emitWindowMinutes?: number;
}

/**
 * The findings beyond per-signal scores: the service's multivariate model, and resources
 * heading for their limits. A missing model (not trained yet) or an unreachable cluster skips
 * that view for this pass rather than failing detection.
 */
export function createServiceFindings(dependencies: FindingsDependencies) {
  return async (service: string, signals: Map<Signal, Sample[]>, now: number): Promise<Anomaly[]> => {
    const emitFrom = now - (dependencies.emitWindowMinutes ?? 15) * 60_000;
    const findings: Anomaly[] = [];
    const stored = await dependencies.models.load(service);
    if (stored) {
      const model = deserialiseServiceModel(stored.model);
      findings.push(...multivariateAnomalies(service, model, alignRows(signals, SIGNALS), emitFrom));
    }
    findings.push(...(await predictions(service, signals, now, dependencies)));
    return findings;
  };
}

async function predictions(service: string, signals: Map<Signal, Sample[]>, now: number, dependencies: FindingsDependencies): Promise<Anomaly[]> {
  const entry = dependencies.catalogue.services[service];
  if (!entry) return [];
  let deployment;
  try {
    deployment = await dependencies.cluster.getDeployment(entry.namespace, entry.deployment);
  } catch (error) {
    dependencies.logger.warn({ service, error: (error as Error).message }, 'cannot read the deployment: skipping exhaustion prediction');
    return [];
  }
  // The service's signals are sums over its pods, so its capacity is the per-pod limit times the replicas.
  const capacities: Array<{ signal: Signal; capacity: number | undefined; capacityName: CapacityName }> = [
    { signal: 'memory', capacity: deployment.resources.memoryLimitBytes, capacityName: 'memory limit' },
    { signal: 'cpu', capacity: deployment.resources.cpuLimitCores, capacityName: 'CPU limit' },
  ];
  const found: Anomaly[] = [];
  for (const { signal, capacity, capacityName } of capacities) {
    if (!capacity || deployment.replicas === 0) continue;
    const prediction = predictiveAnomaly({ service, signal, samples: signals.get(signal) ?? [], capacity: capacity * deployment.replicas, capacityName, now });
    if (!prediction) continue;
    // One prediction per signal, severity and hour: escalations show, a minute-by-minute repeat does not.
    found.push({ ...prediction, id: `${service}:predictive:${signal}:${prediction.severity}:${Math.floor(now / 3_600_000)}` });
  }
  return found;
}
