import type { Catalogue } from '../catalogue.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { AuditLog } from '../state/audit-log.js';
import type { IncidentAcknowledgements } from '../state/incident-acknowledgements.js';
import type { IncidentStore } from '../state/incident-store.js';
import type { EstateStatus } from './answer.js';
import { anomalyIncidentSummary, incidentSummary, type IncidentSummary } from './incident-summary.js';

export interface StatusDependencies {
  catalogue: Catalogue;
  anomalies: AnomalyLog;
  audit: AuditLog;
  now: () => number;
  /** The correlated incidents; absent, each recent anomaly is listed as an open incident of its own. */
  incidents?: IncidentStore;
  /** Who acknowledged which incident; absent, nobody is shown. */
  acknowledgements?: IncidentAcknowledgements;
}

/** A service is "in anomaly" while it has an anomaly this recent. */
export const IN_ANOMALY_MILLISECONDS = 30 * 60_000;
/** Without an incident store, an anomaly this recent stands for an open incident. */
const OPEN_INCIDENT_MILLISECONDS = 60 * 60_000;
/** Resolved incidents stay listed (with fewer details) this long. */
const RESOLVED_SHOWN_MILLISECONDS = 24 * 60 * 60_000;

/** What `/aiops status`, `/aiops incidents` and App Home show, from the state in Redis. */
export async function estateStatus(dependencies: StatusDependencies): Promise<EstateStatus> {
  const now = dependencies.now();
  const recent = await dependencies.anomalies.since(now - OPEN_INCIDENT_MILLISECONDS);
  const current = recent.filter((anomaly) => anomaly.detectedAt >= now - IN_ANOMALY_MILLISECONDS);
  const audit = await dependencies.audit.recent(20);
  const incidents = dependencies.incidents ? await storedIncidents(dependencies.incidents, dependencies.acknowledgements, now) : recent.map(anomalyIncidentSummary);
  return {
    generatedAt: now,
    services: Object.values(dependencies.catalogue.services).map((service) => {
      const anomalies = current.filter((anomaly) => anomaly.service === service.name);
      return { service: service.name, team: service.team, channel: service.channel, healthy: anomalies.length === 0, anomalies };
    }),
    incidents,
    pendingApprovals: [],
    recentActions: audit.map((entry, index) => ({ id: `${entry.at}-${index}`, service: entry.target, action: entry.action, outcome: entry.detail, at: entry.at })),
  };
}

/** Open incidents and those resolved within a day, newest first, each with its acknowledgement and root message. */
async function storedIncidents(store: IncidentStore, acknowledgements: IncidentAcknowledgements | undefined, now: number): Promise<IncidentSummary[]> {
  const shown = (await store.all()).filter(
    (incident) => incident.status === 'open' || (incident.resolvedAt ?? incident.lastSeen) >= now - RESOLVED_SHOWN_MILLISECONDS,
  );
  // Two small reads per incident, sent together: a day of incidents is tens, not thousands.
  return Promise.all(
    shown.map(async (incident) => {
      const [acknowledgement, message] = await Promise.all([acknowledgements?.get(incident.id), store.message(incident.id)]);
      return incidentSummary(incident, { acknowledgedBy: acknowledgement?.by, message });
    }),
  );
}
