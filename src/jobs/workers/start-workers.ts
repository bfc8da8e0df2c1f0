import { UnrecoverableError, type Worker } from 'bullmq';
import type { Catalogue } from '../../catalogue.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../../detection/create-detector.js';
import type { Incidents } from '../../incidents/incidents.js';
import type { Logger } from '../../logger.js';
import { TemplateMiner, type MinerState } from '../../logs/template-miner.js';
import type { Sources } from '../../sources/create-sources.js';
import type { QueueConnection } from '../../state/state.js';
import type { Stores } from '../../state/stores.js';
import { detectService, type DetectionDependencies } from '../detect-service.js';
import { forecastServiceSignal } from '../forecast-service.js';
import { FORECAST_SIGNALS, type ForecastSignal } from '../../investigation/capacity-forecast.js';
import { mineServiceLogs, type LogMiningDependencies } from '../mine-service-logs.js';
import { QUEUE_NAMES } from '../queues.js';
import { createServiceFindings } from '../service-findings.js';
import { trainService } from '../train-service.js';
import { startServiceWorker } from './service-worker.js';

export interface WorkerDependencies {
  connection: QueueConnection;
  sources: Pick<Sources, 'metrics' | 'cluster' | 'logReader'>;
  stores: Pick<Stores, 'detection' | 'activeAnomalies' | 'claims' | 'models' | 'minedLogs' | 'logFindings' | 'anomalies' | 'forecasts'>;
  catalogue: Catalogue;
  /** Where detection's findings go: new anomalies, those still going on, those over. */
  incidents: Pick<Incidents, 'anomalyRaised' | 'anomalyOngoing' | 'anomalyRecovered'>;
  /** The sources' clock. */
  now: () => number;
  logger: Logger;
}

/** How the log-mining job builds its miners; exported so that bench/logs-throughput.ts mines exactly as the bot does. */
export const LOG_MINERS: Pick<LogMiningDependencies, 'createMiner' | 'restoreMiner'> = {
  createMiner: () => new TemplateMiner(),
  restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
};

/**
 * This process's workers, one per queue: detection (four services at once), training and log
 * mining (one at a time). Each job is a thin call of the domain with the stores it needs.
 */
export function startWorkers({ connection, sources, stores, catalogue, incidents, now, logger }: WorkerDependencies): Worker[] {
  const detection: DetectionDependencies = {
    metrics: sources.metrics,
    catalogue,
    stores,
    sink: (anomaly) => incidents.anomalyRaised(anomaly),
    now,
    logger,
    createDetector,
    restoreDetector,
    threshold: RECOMMENDED_ALERT_THRESHOLD,
    extraFindings: createServiceFindings({ catalogue, cluster: sources.cluster, models: stores.models, forecasts: stores.forecasts, logger }),
    cache: new Map(),
    // An incident lasts while its anomalies do: ongoing ones keep their alerts firing, recovered ones resolve them.
    onOngoing: (anomaly, at) => incidents.anomalyOngoing(anomaly, at),
    onRecovered: (anomaly, at) => incidents.anomalyRecovered(anomaly, at),
  };
  const forecasting = { catalogue, metrics: sources.metrics, cluster: sources.cluster, now, forecasts: stores.forecasts, logger };
  return [
    startServiceWorker({
      queueName: QUEUE_NAMES.forecast,
      connection,
      logger,
      // One at a time: an hourly forecast is never urgent, and each reads two weeks of history.
      concurrency: 1,
      process: async (service, signal) => {
        if (!isForecastSignal(signal)) throw new UnrecoverableError(`forecast job for ${service} names no forecast signal (got ${String(signal)})`);
        return forecastServiceSignal(service, signal, forecasting);
      },
    }),
    startServiceWorker({ queueName: QUEUE_NAMES.detection, connection, logger, process: (service) => detectService(service, detection) }),
    startServiceWorker({ queueName: QUEUE_NAMES.training, connection, logger, concurrency: 1, process: (service) => trainService(service, { metrics: sources.metrics, models: stores.models, now, logger }) }),
    startServiceWorker({
      queueName: QUEUE_NAMES.logs,
      connection,
      logger,
      // One service at a time: mining is not urgent, and a warm-up hour of ten services at once would crowd out Slack's 3-second acks.
      concurrency: 1,
      process: (service) =>
        mineServiceLogs(service, {
          reader: sources.logReader,
          stores,
          now,
          logger,
          ...LOG_MINERS,
          // Log findings are evidence: kept for incidents, answers and root causes, not raised as alerts of their own.
          sink: async (finding) => {
            await stores.logFindings.record(finding);
            logger.info({ service: finding.service, kind: finding.kind, templateId: finding.templateId, count: finding.count }, finding.summary);
          },
          metricAnomalies: (service, start, end) => stores.anomalies.overlapping(service, start, end),
        }),
    }),
  ];
}

function isForecastSignal(signal: string | undefined): signal is ForecastSignal {
  return (FORECAST_SIGNALS as readonly string[]).includes(signal ?? '');
}
