import type { IncidentSummary } from '../../investigation/incident-summary.js';
import type { Anomaly, AnomalySeverity } from '../../detection/anomaly.js';
import type { IncidentMessage } from '../../state/incident-store.js';
import {
  SLACK_LIMITS,
  capBlocks,
  context,
  counted,
  escapeMrkdwn,
  fallbackText,
  fitLines,
  header,
  relativeTime,
  section,
  whenMrkdwn,
  type BlockMessage,
  type KnownBlock,
} from './limits.js';

export interface IncidentsMessageOptions {
  /** Milliseconds since the epoch: what "5 min ago" counts from. */
  now: number;
}

const SEVERITY_EMOJI: Record<AnomalySeverity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };
const SEVERITY_RANK: Record<AnomalySeverity, number> = { critical: 2, warning: 1, info: 0 };

export function severityEmoji(severity: AnomalySeverity): string {
  return SEVERITY_EMOJI[severity];
}

export function severityRank(severity: AnomalySeverity): number {
  return SEVERITY_RANK[severity];
}

/** Sort order for evidence: most severe first, then newest, then the most anomalous. */
export function bySeverityThenNewest(left: Anomaly, right: Anomaly): number {
  return severityRank(right.severity) - severityRank(left.severity) || right.detectedAt - left.detectedAt || right.score - left.score;
}

/** The anomaly that best describes a service's trouble: the most severe, then the newest. */
export function worstAnomaly(anomalies: readonly Anomaly[]): Anomaly | undefined {
  return [...anomalies].sort(bySeverityThenNewest)[0];
}

/** Services whose worst anomaly is most severe come first; ties by name so the order is stable. */
export function byWorstAnomaly(left: { service: string; anomalies: readonly Anomaly[] }, right: { service: string; anomalies: readonly Anomaly[] }): number {
  const rank = (anomalies: readonly Anomaly[]) => {
    const worst = worstAnomaly(anomalies);
    return worst ? severityRank(worst.severity) : -1;
  };
  return rank(right.anomalies) - rank(left.anomalies) || left.service.localeCompare(right.service);
}

/**
 * One anomaly in mrkdwn, escaped, with the service in bold. Detection writes summaries as
 * "database: latency_p95 185 ms (usually 9 ms)", so the service is bolded in place rather than
 * repeated; other summaries (forecasts) follow the service name.
 */
export function anomalyMrkdwn(anomaly: Pick<Anomaly, 'service' | 'summary'>): string {
  const prefix = `${anomaly.service}: `;
  const service = `*${escapeMrkdwn(anomaly.service)}*`;
  return anomaly.summary.startsWith(prefix)
    ? `${service}: ${escapeMrkdwn(anomaly.summary.slice(prefix.length))}`
    : `${service} — ${escapeMrkdwn(anomaly.summary)}`;
}

/** The same anomaly for a plain-text fallback: the summary as written, escaped (Slack parses `text` too). */
export function anomalyPlain(anomaly: Pick<Anomaly, 'service' | 'summary'>): string {
  const prefix = `${anomaly.service}: `;
  return escapeMrkdwn(anomaly.summary.startsWith(prefix) ? anomaly.summary : `${anomaly.service} — ${anomaly.summary}`);
}

/** "2 critical · 1 warning": the counts a reader scans before the list. */
export function severityTally(items: ReadonlyArray<{ severity: AnomalySeverity }>): string {
  return (['critical', 'warning', 'info'] as const)
    .map((severity) => ({ severity, count: items.filter((item) => item.severity === severity).length }))
    .filter(({ count }) => count > 0)
    .map(({ severity, count }) => `${severityEmoji(severity)} ${count} ${severity}`)
    .join(' · ');
}

/**
 * A link to an incident's root message. Slack's app_redirect URL needs no API call per incident
 * (chat.getPermalink would), which matters for a list rebuilt on every App Home refresh; it opens
 * the channel at the message in clients that follow `message_ts`, and the channel otherwise.
 */
export function incidentLink(message: IncidentMessage): string {
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(message.channel)}&message_ts=${encodeURIComponent(message.ts)}`;
}

/** Open incidents first seen last come first; then the most severe. */
export function byNewestIncident(left: IncidentSummary, right: IncidentSummary): number {
  return right.firstSeen - left.firstSeen || severityRank(right.severity) - severityRank(left.severity) || left.id.localeCompare(right.id);
}

/**
 * One open incident in mrkdwn, escaped: its id (linked to its root message once posted),
 * severity, origin, services, alerts firing out of all, when it began and who took it on. An
 * anomaly standing in for an incident keeps its own line instead.
 */
export function incidentMrkdwn(incident: IncidentSummary, now: number): string {
  if (incident.headline !== undefined) {
    const line = anomalyMrkdwn({ service: incident.origin ?? incident.services[0] ?? 'unknown', summary: incident.headline });
    return `${severityEmoji(incident.severity)} ${line}\n${incident.predicted ? 'Predicted' : 'Detected'} ${whenMrkdwn(incident.firstSeen, now)}`;
  }
  const state = incident.flapping ? ' · 🔁 flapping' : '';
  const services = incident.services.map(escapeMrkdwn).join(', ') || 'none catalogued';
  const acknowledged = incident.acknowledgedBy ? `acknowledged by <@${escapeMrkdwn(incident.acknowledgedBy)}>` : 'not acknowledged';
  return [
    `${severityEmoji(incident.severity)} *${idMrkdwn(incident)}* · ${incident.severity}${state} · origin *${escapeMrkdwn(incident.origin ?? 'unknown')}*`,
    `Services: ${services} · ${incident.firingAlerts} of ${counted(incident.totalAlerts, 'alert')} firing`,
    `First seen ${whenMrkdwn(incident.firstSeen, now)} · ${acknowledged}`,
  ].join('\n');
}

/** Incidents resolved lately, one line each (fewer details than open ones), most recently resolved first, within `maximum` characters. */
export function resolvedIncidentsMrkdwn(incidents: readonly IncidentSummary[], now: number, maximum: number = SLACK_LIMITS.sectionText): string {
  const lines = [...incidents].sort(byLatestResolved).map((incident) => {
    const by = incident.resolvedBy ? ` by <@${escapeMrkdwn(incident.resolvedBy)}>` : '';
    return `✅ *${idMrkdwn(incident)}* · ${escapeMrkdwn(incident.origin ?? incident.services[0] ?? 'unknown')} · resolved ${whenMrkdwn(incident.resolvedAt ?? incident.lastSeen, now)}${by}`;
  });
  return fitLines(lines, maximum);
}

/** The title above the incidents resolved lately. */
export const RESOLVED_TITLE = 'Resolved in the last 24 h';

/**
 * What `/aiops incidents` shows: open incidents newest first, one section each, then those
 * resolved in the last day in one section; within Slack's 50 blocks and 4,000-character fallback.
 */
export function incidentsMessage(incidents: readonly IncidentSummary[], options: IncidentsMessageOptions): BlockMessage {
  const open = incidents.filter((incident) => incident.status === 'open').sort(byNewestIncident);
  const resolved = incidents.filter((incident) => incident.status === 'resolved').sort(byLatestResolved);
  const resolvedBlocks = resolved.length === 0 ? [] : [section(`*${RESOLVED_TITLE} (${resolved.length})*\n${resolvedIncidentsMrkdwn(resolved, options.now, SLACK_LIMITS.sectionText - 40)}`)];
  if (open.length === 0) {
    return { text: fallbackText(['No open incidents.', ...resolvedPlain(resolved, options.now)]), blocks: [section('✅ No open incidents.'), ...resolvedBlocks] };
  }
  const title = `Open incidents (${open.length})`;
  const tally = severityTally(open);
  const headBlocks = [header(title), context([tally])];
  const incidentBlocks: KnownBlock[] = open.map((incident) => section(incidentMrkdwn(incident, options.now)));
  const blocks = [...headBlocks, ...capBlocks(incidentBlocks, SLACK_LIMITS.messageBlocks - headBlocks.length - resolvedBlocks.length, 'incidents'), ...resolvedBlocks];
  const lines = [`${title}: ${tally}`, ...open.map((incident) => openPlain(incident, options.now)), ...resolvedPlain(resolved, options.now)];
  return { text: fallbackText(lines), blocks };
}

function openPlain(incident: IncidentSummary, now: number): string {
  const emoji = severityEmoji(incident.severity);
  if (incident.headline !== undefined) {
    return `${emoji} ${anomalyPlain({ service: incident.origin ?? incident.services[0] ?? 'unknown', summary: incident.headline })} — ${relativeTime(incident.firstSeen, now)}`;
  }
  const origin = escapeMrkdwn(incident.origin ?? incident.services[0] ?? 'unknown');
  return `${emoji} ${escapeMrkdwn(incident.id)} on ${origin}: ${incident.firingAlerts} of ${counted(incident.totalAlerts, 'alert')} firing — ${relativeTime(incident.firstSeen, now)}`;
}

function resolvedPlain(incidents: readonly IncidentSummary[], now: number): string[] {
  if (incidents.length === 0) return [];
  return [
    `${RESOLVED_TITLE}:`,
    ...incidents.map((incident) => `✅ ${escapeMrkdwn(incident.id)} on ${escapeMrkdwn(incident.origin ?? incident.services[0] ?? 'unknown')} — resolved ${relativeTime(incident.resolvedAt ?? incident.lastSeen, now)}`),
  ];
}

function byLatestResolved(left: IncidentSummary, right: IncidentSummary): number {
  return (right.resolvedAt ?? right.lastSeen) - (left.resolvedAt ?? left.lastSeen) || left.id.localeCompare(right.id);
}

/** The id, linked to the root message when there is one. */
function idMrkdwn(incident: IncidentSummary): string {
  const id = escapeMrkdwn(incident.id);
  return incident.message ? `<${escapeMrkdwn(incidentLink(incident.message))}|${id}>` : id;
}
