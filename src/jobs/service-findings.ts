import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { deserialiseServiceModel, multivariateAnomalies, type ServiceModel } from '../detection/service-model.js';
import { forecastPrediction } from '../detection/forecast-prediction.js';
import { predictiveAnomaly, type CapacityName } from '../detection/predictive-anomaly.js';
import type { Logger } from '../logger.js';
import type { Cluster, Deployment } from '../sources/cluster.js';
import { SIGNALS, type Sample, type Signal } from '../signals.js';
import type { ForecastStore } from '../state/forecast-store.js';
import type { ModelStore } from '../state/model-store.js';
import { alignRows } from './train-service.js';

export interface FindingsDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  models: ModelStore;
  /** The hourly week-ahead forecasts; absent, predictions come from the recent trend alone. */
  forecasts?: Pick<ForecastStore, 'load'>;
  logger: Logger;
  /** Only findings at or after `now - emitWindowMinutes` are raised (default 15). */
  emitWindowMinutes?: number;
}

/**
 * The findings beyond per-signal scores: the service's multivariate model, and resources
 * heading for their limits (on the recent trend, and for memory on the hourly forecast too). A missing model (not trained yet) or an unreachable cluster skips
 * that view for this pass rather than failing detection.
 */
export function createServiceFindings(dependencies: FindingsDependencies) {
  // Decoding a forest costs more than scoring with it: keep each service's model until retrained.
  const models = new Map<string, { trainedAt: number; model: ServiceModel }>();
  const deployments = new Map<string, { readAt: number; deployment: Deployment }>();
  return async (service: string, signals: Map<Signal, Sample[]>, now: number, firstNew: number): Promise<Anomaly[]> => {
    const emitFrom = now - (dependencies.emitWindowMinutes ?? 15) * 60_000;
    const findings: Anomaly[] = [];
    const model = await currentModel(service, models, dependencies.models);
    if (model) {
      // New rows, plus the few before them that a run of consecutive outliers may have started on.
      const rows = alignRows(signals, SIGNALS).filter((row) => row.timestamp >= Math.max(emitFrom, firstNew) - 5 * 60_000);
      findings.push(...multivariateAnomalies(service, model, rows, emitFrom));
    }
    findings.push(...(await predictions(service, signals, now, deployments, dependencies)));
    return findings;
  };
}

async function currentModel(service: string, cache: Map<string, { trainedAt: number; model: ServiceModel }>, store: ModelStore): Promise<ServiceModel | undefined> {
  const trainedAt = await store.trainedAt(service);
  if (trainedAt === undefined) return undefined;
  const cached = cache.get(service);
  if (cached?.trainedAt === trainedAt) return cached.model;
  const stored = await store.load(service);
  if (!stored) return undefined;
  const model = deserialiseServiceModel(stored.model);
  cache.set(service, { trainedAt: stored.trainedAt, model });
  return model;
}

/** Limits and replicas change rarely; reading them every minute for every service would load the API server for nothing. */
const DEPLOYMENT_REFRESH_MILLISECONDS = 5 * 60_000;

async function predictions(
  service: string,
  signals: Map<Signal, Sample[]>,
  now: number,
  deployments: Map<string, { readAt: number; deployment: Deployment }>,
  dependencies: FindingsDependencies,
): Promise<Anomaly[]> {
  const entry = dependencies.catalogue.services[service];
  if (!entry) return [];
  let deployment = deployments.get(service);
  if (!deployment || Math.abs(now - deployment.readAt) >= DEPLOYMENT_REFRESH_MILLISECONDS) {
    try {
      deployment = { readAt: now, deployment: await dependencies.cluster.getDeployment(entry.namespace, entry.deployment) };
      deployments.set(service, deployment);
    } catch (error) {
      dependencies.logger.warn({ service, error: (error as Error).message }, 'cannot read the deployment: skipping exhaustion prediction');
      return [];
    }
  }
  const found = capacityPredictions(service, signals, now, deployment.deployment);
  if (dependencies.forecasts && !found.some((anomaly) => anomaly.signals.includes('memory'))) {
    const digest = await dependencies.forecasts.load(service, 'memory').catch(() => undefined);
    const predicted = forecastPrediction(digest, now);
    if (predicted) found.push(predicted);
  }
  return found;
}

function capacityPredictions(service: string, signals: Map<Signal, Sample[]>, now: number, deployment: Deployment): Anomaly[] {
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
