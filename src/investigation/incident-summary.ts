import type { AlertSeverity } from '../severity.js';
import type { Incident } from '../alerts/correlate.js';
import type { Anomaly } from '../detection/anomaly.js';
import type { IncidentMessage } from '../state/incident-store.js';

/** One incident as lists show it (`/aiops incidents`, App Home, `/aiops status`): plain data, no alert detail. */
export interface IncidentSummary {
  id: string;
  status: 'open' | 'resolved';
  severity: AlertSeverity;
  flapping: boolean;
  /** The likely origin; the service itself for an anomaly standing alone. */
  origin?: string;
  services: string[];
  firingAlerts: number;
  totalAlerts: number;
  firstSeen: number;
  lastSeen: number;
  resolvedAt?: number;
  /** Slack user ids. */
  resolvedBy?: string;
  acknowledgedBy?: string;
  /** Where its root message is in Slack, once posted. */
  message?: IncidentMessage;
  /**
   * Set only when incidents are not tracked (no incident store) and an anomaly stands in for one:
   * the anomaly's own line, which says more than its counts would.
   */
  headline?: string;
  /** With a headline: whether the anomaly is a prediction rather than something seen. */
  predicted?: boolean;
}

/** A stored incident as a list entry, with what is kept beside it: who acknowledged it, where its message is. */
export function incidentSummary(incident: Incident, extra: { acknowledgedBy?: string; message?: IncidentMessage } = {}): IncidentSummary {
  const alerts = Object.values(incident.alerts);
  return {
    id: incident.id,
    status: incident.status,
    severity: incident.severity,
    flapping: incident.flapping,
    origin: incident.origin,
    services: incident.services,
    firingAlerts: alerts.filter((alert) => alert.status === 'firing').length,
    totalAlerts: alerts.length,
    firstSeen: incident.firstSeen,
    lastSeen: incident.lastSeen,
    resolvedAt: incident.resolvedAt,
    resolvedBy: incident.resolvedBy,
    acknowledgedBy: extra.acknowledgedBy,
    message: extra.message,
  };
}

/** Where nothing correlates (no incident store), each recent anomaly is listed as an open incident of its own, as before incidents existed. */
export function anomalyIncidentSummary(anomaly: Anomaly): IncidentSummary {
  return {
    id: anomaly.id,
    status: 'open',
    severity: anomaly.severity,
    flapping: false,
    origin: anomaly.service,
    services: [anomaly.service],
    firingAlerts: 1,
    totalAlerts: 1,
    firstSeen: anomaly.detectedAt,
    lastSeen: anomaly.detectedAt,
    headline: anomaly.summary,
    predicted: anomaly.kind === 'predictive',
  };
}
