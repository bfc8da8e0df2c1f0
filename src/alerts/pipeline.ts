import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { Metrics } from '../telemetry/metrics.js';
import { alertFromAnomaly } from './alert.js';
import type { AlertSuppression } from './alert-suppression.js';

/**
 * The alert pipeline's entry point: everything detection finds goes through here. Each anomaly,
 * as an alert, meets silences and maintenance windows (held there if covered, and raised when they
 * end if still going); what passes is recorded for the Slack surface (status, incidents, App Home,
 * answers), correlated into incidents with Alertmanager's alerts, and logged.
 */
export type AnomalySink = (anomaly: Anomaly) => Promise<void>;

export interface AlertPipelineDependencies {
  logger: Logger;
  anomalies?: AnomalyLog;
  /** Silences and maintenance windows; absent, nothing is held. */
  suppression?: Pick<AlertSuppression, 'intake'>;
  /** Called after an anomaly is recorded, e.g. to refresh App Home. */
  onRecorded?: (anomaly: Anomaly) => void;
  /** Correlates the anomaly into incidents (with Alertmanager's alerts). */
  ingest?: (anomaly: Anomaly) => Promise<void>;
  /** Where raised and silenced anomalies are counted for /metrics. */
  metrics?: Pick<Metrics, 'anomalyRaised' | 'anomalySilenced'>;
}

export function createAlertPipeline(dependencies: AlertPipelineDependencies): AnomalySink {
  return async (anomaly) => {
    // The suppression logs what it holds and until when.
    const intake = await dependencies.suppression?.intake([alertFromAnomaly(anomaly)], anomaly.detectedAt);
    if (intake && intake.held.length > 0) {
      dependencies.metrics?.anomalySilenced(anomaly);
      return;
    }
    await dependencies.anomalies?.record(anomaly);
    await dependencies.ingest?.(anomaly);
    dependencies.metrics?.anomalyRaised(anomaly);
    // Flat fields only: a terminal shows each anomaly as one line (the evidence window is in the anomaly log).
    dependencies.logger.warn({ anomalyId: anomaly.id, service: anomaly.service, severity: anomaly.severity, score: anomaly.score }, anomaly.summary);
    dependencies.onRecorded?.(anomaly);
  };
}
