import type { Incident } from '../../alerts/incident.js';
import type { Catalogue, CatalogueService, ServiceRunbook } from '../../catalogue.js';
import { incidentAlertRecord } from '../../alerts/incident-alert-record.js';
import type { Anomaly } from '../../detection/anomaly.js';
import type { TemplateSummary } from '../../logs/template-summary.js';
import type { AlertSeverity } from '../../severity.js';
import type { RecentChange } from '../../sources/recent-changes.js';
import type { AuditEntry } from '../../state/audit-log.js';
import type { Acknowledgement } from '../../state/incident-acknowledgements.js';
import type { RemediationRecord } from '../../state/remediation-requests.js';

/** Times leave as ISO 8601 in UTC: what every client parses without asking which epoch unit. */
function iso(milliseconds: number | undefined): string | undefined {
  return milliseconds === undefined ? undefined : new Date(milliseconds).toISOString();
}

/**
 * An incident as the API shows it: severity as Slack shows it (raised by escalation rules), who
 * took it on, the runbooks of its services (as the Slack message links them), its alerts.
 */
export function incidentView(incident: Incident, shownSeverity: AlertSeverity, acknowledgement: Acknowledgement | undefined, runbooks: readonly ServiceRunbook[]) {
  return {
    id: incident.id,
    status: incident.status,
    severity: shownSeverity,
    services: incident.services,
    origin: incident.origin ?? null,
    flapping: incident.flapping,
    firstSeen: iso(incident.firstSeen),
    lastSeen: iso(incident.lastSeen),
    resolvedAt: iso(incident.resolvedAt) ?? null,
    resolvedBy: incident.resolvedBy ?? null,
    acknowledgedBy: acknowledgement?.by ?? null,
    acknowledgedAt: iso(acknowledgement?.at) ?? null,
    mergedInto: incident.mergedInto ?? null,
    runbooks,
    alerts: Object.values(incident.alerts)
      .sort((left, right) => left.firstSeen - right.firstSeen || left.fingerprint.localeCompare(right.fingerprint))
      .map(incidentAlertRecord),
  };
}

/**
 * A catalogued service as the API shows it: who owns it and where its incidents go, what it calls
 * and what calls it (directly), and how it is doing: the anomalies of the last half hour (what
 * `/aiops status` calls "in anomaly") and the open incidents touching it.
 */
export function serviceView(service: CatalogueService, catalogue: Catalogue, recentAnomalies: readonly Anomaly[], openIncidents: readonly string[]) {
  return {
    name: service.name,
    namespace: service.namespace,
    deployment: service.deployment,
    team: service.team,
    channel: service.channel,
    aliases: service.aliases,
    runbook: service.runbook ?? null,
    dependencies: service.dependencies,
    dependents: Object.values(catalogue.services)
      .filter((caller) => caller.dependencies.includes(service.name))
      .map((caller) => caller.name),
    healthy: recentAnomalies.length === 0 && openIncidents.length === 0,
    anomalies: recentAnomalies.map(anomalyView),
    openIncidents,
  };
}

export function anomalyView(anomaly: Anomaly) {
  return {
    id: anomaly.id,
    kind: anomaly.kind,
    service: anomaly.service,
    signals: anomaly.signals,
    severity: anomaly.severity,
    score: anomaly.score,
    summary: anomaly.summary,
    detectedAt: iso(anomaly.detectedAt),
  };
}

/** A change as the API shows it: `origin` names the CI/CD sender, null for what the cluster itself shows. */
export function changeView(change: RecentChange) {
  return {
    service: change.service,
    kind: change.kind,
    description: change.description,
    at: iso(change.at),
    version: change.version ?? null,
    origin: change.origin ?? null,
  };
}

/**
 * A service's log templates over a window, as `/aiops logs` shows them. `change` is "new" for a
 * template first seen in the window, else the window's lines over the usual rate's; null when it
 * was seen before but not at all in the baseline (a ratio JSON cannot hold).
 */
export function logTemplatesView(summary: TemplateSummary) {
  return {
    service: summary.service,
    start: iso(summary.start),
    end: iso(summary.end),
    totalLines: summary.totalLines,
    omitted: summary.omitted,
    templates: summary.rows.map((row) => ({ ...row, change: row.change === 'new' || Number.isFinite(row.change) ? row.change : null })),
  };
}

export function auditView(entry: AuditEntry) {
  return { ...entry, at: iso(entry.at) };
}

/** A remediation request as the API shows it: what, why, who decided, what happened; not its Slack message. */
export function actionView(record: RemediationRecord) {
  return {
    id: record.id,
    status: record.status,
    request: record.request,
    reason: record.reason,
    risk: record.risk,
    rule: record.rule,
    severity: record.severity,
    incidentId: record.incidentId ?? null,
    requestedBy: record.requestedBy,
    createdAt: iso(record.createdAt),
    expiresAt: iso(record.expiresAt),
    approvals: record.approvals.map((decision) => ({ ...decision, at: iso(decision.at) })),
    rejection: record.rejection ? { ...record.rejection, at: iso(record.rejection.at) } : null,
    problem: record.problem ?? null,
    execution: record.execution
      ? { startedAt: iso(record.execution.startedAt), finishedAt: iso(record.execution.finishedAt) ?? null, outcome: record.execution.outcome ?? null, dryRun: record.execution.dryRun ?? false }
      : null,
    verification: record.verification ? { at: iso(record.verification.at), helped: record.verification.helped, lines: record.verification.lines } : null,
  };
}
