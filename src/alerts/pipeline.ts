import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { SilenceStore } from '../state/silence-store.js';

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
}

export function createAlertPipeline(dependencies: AlertPipelineDependencies): AnomalySink {
  return async (anomaly) => {
    const silence = (await dependencies.silences?.active(anomaly.service, anomaly.detectedAt)) ?? (await dependencies.silences?.active(anomaly.id, anomaly.detectedAt));
    if (silence) {
      dependencies.logger.info({ anomalyId: anomaly.id, service: anomaly.service, silencedUntil: new Date(silence.until).toISOString(), silencedBy: silence.by }, `silenced: ${anomaly.summary}`);
      return;
    }
    await dependencies.anomalies?.record(anomaly);
    await dependencies.ingest?.(anomaly);
    dependencies.logger.warn(
      { anomalyId: anomaly.id, kind: anomaly.kind, service: anomaly.service, signals: anomaly.signals, score: anomaly.score, severity: anomaly.severity, evidence: anomaly.evidence },
      anomaly.summary,
    );
    dependencies.onRecorded?.(anomaly);
  };
}
