import type { Anomaly, AnomalySeverity } from '../../detection/anomaly.js';
import {
  SLACK_LIMITS,
  capBlocks,
  context,
  escapeMrkdwn,
  fallbackText,
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
export function anomalyMrkdwn(anomaly: Anomaly): string {
  const prefix = `${anomaly.service}: `;
  const service = `*${escapeMrkdwn(anomaly.service)}*`;
  return anomaly.summary.startsWith(prefix)
    ? `${service}: ${escapeMrkdwn(anomaly.summary.slice(prefix.length))}`
    : `${service} — ${escapeMrkdwn(anomaly.summary)}`;
}

/** The same anomaly for a plain-text fallback: the summary as written, escaped (Slack parses `text` too). */
export function anomalyPlain(anomaly: Anomaly): string {
  const prefix = `${anomaly.service}: `;
  return escapeMrkdwn(anomaly.summary.startsWith(prefix) ? anomaly.summary : `${anomaly.service} — ${anomaly.summary}`);
}

function raisedWord(anomaly: Anomaly): string {
  return anomaly.kind === 'predictive' ? 'Predicted' : 'Detected';
}

/** "2 critical · 1 warning": the counts a reader scans before the list. */
export function severityTally(anomalies: readonly Anomaly[]): string {
  return (['critical', 'warning', 'info'] as const)
    .map((severity) => ({ severity, count: anomalies.filter((anomaly) => anomaly.severity === severity).length }))
    .filter(({ count }) => count > 0)
    .map(({ severity, count }) => `${severityEmoji(severity)} ${count} ${severity}`)
    .join(' · ');
}

/** Open incidents, newest first: one section each, within Slack's 50 blocks per message. */
export function incidentsMessage(incidents: readonly Anomaly[], options: IncidentsMessageOptions): BlockMessage {
  if (incidents.length === 0) {
    return { text: 'No open incidents.', blocks: [section('✅ No open incidents.')] };
  }
  const newestFirst = [...incidents].sort((left, right) => right.detectedAt - left.detectedAt || severityRank(right.severity) - severityRank(left.severity));
  const title = `Open incidents (${incidents.length})`;
  const tally = severityTally(newestFirst);
  const incidentBlocks: KnownBlock[] = newestFirst.map((incident) =>
    section(`${severityEmoji(incident.severity)} ${anomalyMrkdwn(incident)}\n${raisedWord(incident)} ${whenMrkdwn(incident.detectedAt, options.now)}`),
  );
  const headBlocks = [header(title), context([tally])];
  const blocks = [...headBlocks, ...capBlocks(incidentBlocks, SLACK_LIMITS.messageBlocks - headBlocks.length, 'incidents')];
  const lines = [
    `${title}: ${tally}`,
    ...newestFirst.map((incident) => `${severityEmoji(incident.severity)} ${anomalyPlain(incident)} — ${relativeTime(incident.detectedAt, options.now)}`),
  ];
  return { text: fallbackText(lines), blocks };
}
