import { UnrecoverableError, type Worker } from 'bullmq';
import type { Catalogue } from '../../catalogue.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../../detection/create-detector.js';
import type { Incidents } from '../../incidents/incidents.js';
import type { Logger } from '../../logger.js';
import type { Sources } from '../../sources/create-sources.js';
import type { QueueConnection } from '../../state/state.js';
import type { Stores } from '../../state/stores.js';
import { detectService, type DetectionDependencies } from '../detect-service.js';
import { forecastServiceSignal } from '../forecast-service.js';
import { FORECAST_SIGNALS, type ForecastSignal } from '../../investigation/capacity-forecast.js';
import { LOG_MINERS } from '../log-miners.js';
import { mineServiceLogs } from '../mine-service-logs.js';
import { QUEUE_NAMES } from '../queues.js';
import type { SourceHealth } from '../source-health.js';
import { createServiceFindings } from '../service-findings.js';
import { trainService } from '../train-service.js';
import { DEFAULT_WORKER_SETTINGS, type WorkerQueue, type WorkerSettings } from '../../worker-queues.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { DetectionFirst } from './detection-first.js';
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
  /** Which queues this process runs, at what concurrency and rate (default: every queue, at the concurrency below). */
  settings?: WorkerSettings;
  /** Detection's view of its metrics source: given, a pass that cannot read it is skipped and the outage reported once (see SourceHealth). */
  sourceHealth?: SourceHealth;
  /** Where skipped passes are counted (aiops_detection_passes_skipped_total); none: not counted. */
  metrics?: Pick<Metrics, 'detectionPassSkipped'>;
}

/** Jobs one process runs at once per queue, unless AIOPS_WORKER_CONCURRENCY says otherwise. */
export const DEFAULT_CONCURRENCY: Readonly<Record<Exclude<WorkerQueue, 'healing'>, number>> = {
  // Detection waits on its metrics source and Redis more than on the CPU, and a pass that raises or
  // follows anomalies waits for the incident store, which commits every call made meanwhile in one
  // transaction. Side by side, 10,000 services in an incident storm were scored at 129 passes a
  // second at 4 at once and at 162 at 16, against the 167 a minute's cycle needs (BENCHMARKS.md, "Scale").
  detection: 16,
  // One at a time: a day of history per model, and never urgent.
  training: 1,
  // One at a time: an hourly forecast is never urgent, and each reads two weeks of history.
  forecast: 1,
  // One service at a time: mining is not urgent, and a warm-up hour of ten services at once would crowd out Slack's 3-second acks.
  logs: 1,
};

/**
 * This process's workers, one per queue it was given (detection, training, forecast, log mining;
 * healing is started by the caller, which holds the Healing use case). Each job is a thin call of
 * the domain with the stores it needs; the others wait for this process's detection passes (see
 * DetectionFirst).
 */
export function startWorkers({ connection, sources, stores, catalogue, incidents, now, logger, settings = DEFAULT_WORKER_SETTINGS, sourceHealth, metrics }: WorkerDependencies): Worker[] {
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
    sourceHealth,
  };
  const forecasting = { catalogue, metrics: sources.metrics, cluster: sources.cluster, now, forecasts: stores.forecasts, logger };
  const first = new DetectionFirst();
  const processes: Record<Exclude<WorkerQueue, 'healing'>, (service: string, signal?: string) => Promise<unknown>> = {
    detection: async (service) => {
      const run = await first.detect(() => detectService(service, detection));
      // An outage is counted where it is seen (SourceHealth); a pass still running elsewhere, here.
      if (run.skipped === 'busy') metrics?.detectionPassSkipped('busy');
      return run;
    },
    training: async (service) => {
      await first.whenQuiet();
      return trainService(service, { metrics: sources.metrics, models: stores.models, now, logger });
    },
    forecast: async (service, signal) => {
      if (!isForecastSignal(signal)) throw new UnrecoverableError(`forecast job for ${service} names no forecast signal (got ${String(signal)})`);
      await first.whenQuiet();
      return forecastServiceSignal(service, signal, forecasting);
    },
    logs: async (service) => {
      await first.whenQuiet();
      return mineServiceLogs(service, {
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
      });
    },
  };
  return settings.queues
    .filter((queue): queue is Exclude<WorkerQueue, 'healing'> => queue !== 'healing')
    .map((queue) =>
      startServiceWorker({
        queueName: QUEUE_NAMES[queue],
        connection,
        logger,
        concurrency: settings.concurrency[queue] ?? DEFAULT_CONCURRENCY[queue],
        rateLimit: settings.rateLimits[queue],
        process: processes[queue],
      }),
    );
}

function isForecastSignal(signal: string | undefined): signal is ForecastSignal {
  return (FORECAST_SIGNALS as readonly string[]).includes(signal ?? '');
}
