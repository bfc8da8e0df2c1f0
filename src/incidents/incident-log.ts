import type { IncidentChange } from '../alerts/correlate.js';
import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';

/**
 * Every significant incident change is logged, one line each. The store has queued them for the
 * process talking to Slack (this one or the bot) in the transaction that wrote them, and woken it.
 */
export function logChanges(logger: Logger, changes: readonly IncidentChange[]): void {
  for (const change of changes) {
    if (change.kind === 'duplicate' || change.kind === 'ignored' || change.kind === 'updated') continue;
    logger.info({ incident: change.incidentId, kind: change.kind, fingerprint: change.fingerprint, severity: change.severity }, `incident ${change.incidentId ?? ''} ${change.kind}: ${change.reason}`);
  }
}

/** A raised anomaly as a warning. Flat fields only: a terminal shows each anomaly as one line (the evidence window is in the anomaly log). */
export function logAnomaly(logger: Logger, anomaly: Anomaly): void {
  logger.warn({ anomalyId: anomaly.id, service: anomaly.service, severity: anomaly.severity, score: anomaly.score }, anomaly.summary);
}
