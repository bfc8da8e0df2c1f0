import type { Catalogue } from '../catalogue.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { AuditLog } from '../state/audit-log.js';
import type { EstateStatus } from './answer.js';

export interface StatusDependencies {
  catalogue: Catalogue;
  anomalies: AnomalyLog;
  audit: AuditLog;
  now: () => number;
}

/** A service is "in anomaly" while it has an anomaly this recent. */
const IN_ANOMALY_MILLISECONDS = 30 * 60_000;
/** Until the alert pipeline groups anomalies into incidents, an anomaly this recent is an open incident. */
const OPEN_INCIDENT_MILLISECONDS = 60 * 60_000;

/** What `/aiops status`, `/aiops incidents` and App Home show, from the state in Redis. */
export async function estateStatus(dependencies: StatusDependencies): Promise<EstateStatus> {
  const now = dependencies.now();
  const recent = await dependencies.anomalies.since(now - OPEN_INCIDENT_MILLISECONDS);
  const current = recent.filter((anomaly) => anomaly.detectedAt >= now - IN_ANOMALY_MILLISECONDS);
  const audit = await dependencies.audit.recent(20);
  return {
    generatedAt: now,
    services: Object.values(dependencies.catalogue.services).map((service) => {
      const anomalies = current.filter((anomaly) => anomaly.service === service.name);
      return { service: service.name, team: service.team, channel: service.channel, healthy: anomalies.length === 0, anomalies };
    }),
    incidents: recent,
    pendingApprovals: [],
    recentActions: audit.map((entry, index) => ({ id: `${entry.at}-${index}`, service: entry.target, action: entry.action, outcome: entry.detail, at: entry.at })),
  };
}
