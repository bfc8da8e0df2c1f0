import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../detection/create-detector.js';
import { detectService } from '../jobs/detect-service.js';
import { createServiceFindings } from '../jobs/service-findings.js';
import { trainService } from '../jobs/train-service.js';
import type { Logger } from '../logger.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { Stores } from '../state/stores.js';

export interface DetectionPassDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  cluster: Cluster;
  /** Where the pass's models, detectors and claims go, and where the anomalies found are recorded. */
  stores: Pick<Stores, 'models' | 'detection' | 'activeAnomalies' | 'claims' | 'anomalies'>;
  now: () => number;
  logger: Logger;
  /**
   * Findings this many minutes old or newer are raised (default 15, as the workers do). A single
   * pass sees a fault's whole history at once, so a fault older than 15 minutes needs a wider window.
   */
  emitWindowMinutes?: number;
}

export interface DetectionPassResult {
  services: number;
  anomalies: number;
}

/**
 * What the bot's workers would have found by now, in one go: every catalogued service's
 * multivariate model trained, then its history scored and its anomalies recorded. For commands
 * that answer without a running bot (`aiops ask` on the simulated world).
 */
export async function detectionPass(dependencies: DetectionPassDependencies): Promise<DetectionPassResult> {
  const { catalogue, metrics, cluster, stores, now, logger } = dependencies;
  const { models, anomalies } = stores;
  const emitWindowMinutes = dependencies.emitWindowMinutes ?? 15;
  const detection = {
    metrics,
    catalogue,
    stores,
    sink: (anomaly: Anomaly) => anomalies.record(anomaly),
    now,
    logger,
    createDetector,
    restoreDetector,
    threshold: RECOMMENDED_ALERT_THRESHOLD,
    extraFindings: createServiceFindings({ catalogue, cluster, models, logger, emitWindowMinutes }),
    options: { emitWindowMinutes },
  };
  const services = Object.keys(catalogue.services);
  const runs = await Promise.all(
    services.map(async (service) => {
      // Trained first: the multivariate findings need the service's model.
      await trainService(service, { metrics, models, now, logger });
      return detectService(service, detection);
    }),
  );
  return { services: services.length, anomalies: runs.reduce((sum, run) => sum + run.anomaliesEmitted, 0) };
}
