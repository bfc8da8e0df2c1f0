import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';

/**
 * The alert pipeline's entry point: everything detection finds goes through here. The alert
 * issue turns anomalies into deduplicated, correlated incidents; until then they are logged, one
 * structured line each, so an operator tailing the logs sees what would be raised.
 */
export type AnomalySink = (anomaly: Anomaly) => Promise<void>;

export function createAlertPipeline(logger: Logger): AnomalySink {
  return async (anomaly) => {
    logger.warn(
      { anomalyId: anomaly.id, kind: anomaly.kind, service: anomaly.service, signals: anomaly.signals, score: anomaly.score, severity: anomaly.severity, evidence: anomaly.evidence },
      anomaly.summary,
    );
  };
}
