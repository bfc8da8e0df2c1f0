import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { SilenceStore } from '../state/silence-store.js';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * The alert pipeline's entry point: everything detection finds goes through here. The alert
 * Each anomaly is checked against silences, recorded for the Slack surface (status, incidents,
 * App Home, answers), correlated into incidents with Alertmanager's alerts, and logged.
 */
export type AnomalySink = (anomaly: Anomaly) => Promise<void>;

export interface AlertPipelineDependencies {
  logger: Logger;
  anomalies?: AnomalyLog;
  silences?: SilenceStore;
  /** Called after an anomaly is recorded, e.g. to refresh App Home. */
  onRecorded?: (anomaly: Anomaly) => void;
  /** Correlates the anomaly into incidents (with Alertmanager's alerts). */
  ingest?: (anomaly: Anomaly) => Promise<void>;
  /** Where raised and silenced anomalies are counted for /metrics. */
  metrics?: Pick<Metrics, 'anomalyRaised' | 'anomalySilenced'>;
}

export function createAlertPipeline(dependencies: AlertPipelineDependencies): AnomalySink {
  return async (anomaly) => {
    const silence = (await dependencies.silences?.active(anomaly.service, anomaly.detectedAt)) ?? (await dependencies.silences?.active(anomaly.id, anomaly.detectedAt));
    if (silence) {
      dependencies.metrics?.anomalySilenced(anomaly);
      dependencies.logger.info({ anomalyId: anomaly.id, service: anomaly.service, silencedUntil: new Date(silence.until).toISOString(), silencedBy: silence.by }, `silenced: ${anomaly.summary}`);
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
