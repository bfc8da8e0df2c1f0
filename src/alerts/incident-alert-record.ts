import type { IncidentAlert } from './incident.js';

/** An incident's alert as it leaves the bot (the HTTP API, the history): what people read, times in ISO 8601, no correlation internals. */
export function incidentAlertRecord(alert: IncidentAlert) {
  return {
    fingerprint: alert.fingerprint,
    name: alert.name,
    source: alert.source,
    service: alert.service ?? null,
    status: alert.status,
    severity: alert.severity,
    summary: alert.summary,
    startsAt: new Date(alert.startsAt).toISOString(),
    endsAt: alert.endsAt === undefined ? null : new Date(alert.endsAt).toISOString(),
    generatorUrl: alert.generatorURL ?? null,
    runbookUrl: alert.runbookURL ?? null,
  };
}
