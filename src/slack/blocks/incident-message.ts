import type { ServiceRunbook } from '../../catalogue.js';
import { describeDuration } from '../../duration.js';
import type { IncidentChange, Incident } from '../../alerts/correlate.js';
import { incidentGroupNames, incidentSubject } from '../../alerts/incident-subject.js';
import { predictedExhaustion } from '../predicted-exhaustion.js';
import { incidentGroupLines } from './incident-group-lines.js';
import { severityEmoji } from './incidents-message.js';
import { slackLink } from './slack-link.js';
import { button, capBlocks, context, escapeMrkdwn, fallbackText, fitLines, section, SLACK_LIMITS, whenMrkdwn, type BlockMessage, type KnownBlock } from './limits.js';

/** The incident buttons' action ids; their value is the incident id. */
export const INCIDENT_ACTIONS = {
  acknowledge: 'aiops_incident_acknowledge',
  resolve: 'aiops_incident_resolve',
  silence: 'aiops_incident_silence',
  investigate: 'aiops_incident_investigate',
  forecast: 'aiops_incident_forecast',
} as const;

export interface IncidentMessageOptions {
  now: number;
  /** Who acknowledged it, a Slack user id, when someone has. */
  acknowledgedBy?: string;
  /**
   * What happened around it in the cluster, one plain line each, newest first (see
   * incidentContext); shown escaped under the alerts. Absent or empty: no Context section.
   */
  context?: string[];
  /** The catalogue's runbooks of the incident's services, in its order: linked under the summary. */
  runbooks?: ServiceRunbook[];
}

/**
 * The one root message an incident has, edited in place as it changes: what is affected, where
 * it likely started, how many alerts, since when, and what can be done from here.
 */
export function incidentMessage(incident: Incident, options: IncidentMessageOptions): BlockMessage {
  if (incident.mergedInto !== undefined) return mergedIncidentMessage(incident, incident.mergedInto, options);
  const alerts = Object.values(incident.alerts);
  const firing = alerts.filter((alert) => alert.status === 'firing');
  const state = incident.status === 'resolved' ? '✅ Resolved' : incident.flapping ? '🔁 Flapping' : `${severityEmoji(incident.severity)} ${capitalise(incident.severity)}`;
  const where = incidentSubject(incident);
  const groupNames = incidentGroupNames(incident);
  // Uncatalogued alerts are named by their Alertmanager groups, so those are what "more" counts.
  const others = incident.services.length > 0 ? incident.services.length - 1 : Math.max(0, groupNames.length - 1);
  const title = `${state} · *${escapeMrkdwn(incident.id)}* · ${escapeMrkdwn(where)}${others > 0 ? ` and ${others} more` : ''}`;
  const scope =
    incident.services.length === 0 && groupNames.length > 0
      ? `Alertmanager group${groupNames.length === 1 ? '' : 's'}: ${groupNames.map((name) => `*${escapeMrkdwn(name)}*`).join(', ')} · no catalogued service`
      : `Likely origin: *${escapeMrkdwn(incident.origin ?? 'unknown')}* · services: ${incident.services.map(escapeMrkdwn).join(', ') || 'none catalogued'}`;
  const lines = [
    title,
    scope,
    `${firing.length} of ${alerts.length} alert${alerts.length === 1 ? '' : 's'} firing · first seen ${whenMrkdwn(incident.firstSeen, options.now)} · last ${whenMrkdwn(incident.lastSeen, options.now)}`,
    ...incidentGroupLines(incident),
  ];
  if (incident.mergedFrom && incident.mergedFrom.length > 0) lines.push(`Merged into this: ${incident.mergedFrom.map((id) => `*${escapeMrkdwn(id)}*`).join(', ')}`);
  if (incident.status === 'resolved' && incident.resolvedAt !== undefined) lines.push(`Resolved after ${describeDuration(incident.resolvedAt - incident.firstSeen)}`);
  if (incident.status === 'resolved' && incident.resolvedBy) lines.push(`Resolved by <@${escapeMrkdwn(incident.resolvedBy)}>`);
  if (options.acknowledgedBy) lines.push(`Acknowledged by <@${escapeMrkdwn(options.acknowledgedBy)}>`);
  const runbooks = (options.runbooks ?? []).flatMap(({ service, url }) => slackLink(url, service) ?? []);
  if (runbooks.length > 0) lines.push(`📖 Runbook${runbooks.length === 1 ? '' : 's'}: ${runbooks.join(' · ')}`);
  const alertLines = [...alerts]
    .sort((left, right) => Number(right.status === 'firing') - Number(left.status === 'firing') || right.lastSeen - left.lastSeen)
    .map((alert) => {
      const links = [alert.generatorURL && slackLink(alert.generatorURL, 'graph'), alert.runbookURL && slackLink(alert.runbookURL, 'runbook')].filter((link): link is string => typeof link === 'string');
      return `${alert.status === 'firing' ? '•' : '◦'} ${escapeMrkdwn(alert.summary)}${links.map((link) => ` · ${link}`).join('')}`;
    });
  const blocks: KnownBlock[] = [section(lines.join('\n')), section(fitLines(alertLines, SLACK_LIMITS.sectionText))];
  if (options.context && options.context.length > 0) {
    const title = '*Context*\n';
    blocks.push(section(`${title}${fitLines(options.context.map(escapeMrkdwn), SLACK_LIMITS.sectionText - title.length)}`));
  }
  if (incident.status === 'open') {
    blocks.push({
      type: 'actions',
      elements: [
        ...(options.acknowledgedBy ? [] : [button({ actionId: INCIDENT_ACTIONS.acknowledge, text: 'Acknowledge', value: incident.id, style: 'primary' })]),
        button({ actionId: INCIDENT_ACTIONS.resolve, text: 'Resolve', value: incident.id }),
        button({ actionId: INCIDENT_ACTIONS.silence, text: 'Silence…', value: incident.id }),
        button({ actionId: INCIDENT_ACTIONS.investigate, text: 'Investigate', value: incident.id }),
        // A limit about to be reached: the forecast shows how soon, and the replicas that avoid it.
        ...(predictedExhaustion(incident) ? [button({ actionId: INCIDENT_ACTIONS.forecast, text: 'Forecast', value: incident.id })] : []),
      ],
    });
  }
  blocks.push(context([`aiops incident ${escapeMrkdwn(incident.id)} · updated in place as alerts join, escalate or resolve`]));
  const plain = [`${incident.status === 'resolved' ? 'Resolved' : capitalise(incident.severity)} ${incident.id} on ${where}`, `${firing.length} of ${alerts.length} alerts firing`, ...alerts.map((alert) => alert.summary)];
  return { text: fallbackText(plain.map(escapeMrkdwn)), blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks, 'blocks') };
}

/**
 * The message of an incident an alert merged into an older one: closed, no buttons, pointing at
 * the incident its alerts and updates moved to.
 */
function mergedIncidentMessage(incident: Incident, survivor: string, options: IncidentMessageOptions): BlockMessage {
  const where = incidentSubject(incident);
  const lines = [
    `🔀 Merged · *${escapeMrkdwn(incident.id)}* · ${escapeMrkdwn(where)}`,
    `Merged into *${escapeMrkdwn(survivor)}*: its alerts and every update from here on are there (see the note in this thread)`,
    `first seen ${whenMrkdwn(incident.firstSeen, options.now)} · merged ${whenMrkdwn(incident.resolvedAt ?? incident.lastSeen, options.now)}`,
  ];
  const blocks: KnownBlock[] = [section(lines.join('\n')), context([`aiops incident ${escapeMrkdwn(incident.id)} · merged into ${escapeMrkdwn(survivor)}`])];
  return { text: fallbackText([`Merged ${incident.id} on ${where} into ${survivor}`].map(escapeMrkdwn)), blocks };
}

/** A thread note for a change worth telling the people following the incident. */
export function incidentNote(change: IncidentChange, incident: Incident): BlockMessage | undefined {
  const alert = incident.alerts[change.fingerprint];
  const what = alert ? escapeMrkdwn(alert.summary) : escapeMrkdwn(change.fingerprint);
  let text: string | undefined;
  switch (change.kind) {
    case 'joined':
      text = `➕ Joined: ${what}`;
      break;
    case 'escalated':
      text = `⬆️ Escalated to *${change.severity ?? incident.severity}*: ${what}`;
      break;
    case 'flapping':
      text = `🔁 Flapping: ${what} keeps firing and resolving; the incident stays open until it calms down`;
      break;
    case 'merged':
      text = `🔀 Merged into *${escapeMrkdwn(change.mergedInto ?? incident.mergedInto ?? 'another incident')}*, where its alerts and updates continue: ${escapeMrkdwn(change.reason)}`;
      break;
    case 'absorbed':
      text = `🔀 *${escapeMrkdwn(change.mergedFrom ?? 'Another incident')}* merged into this: ${escapeMrkdwn(change.reason)}`;
      break;
    case 'resolved':
      text =
        incident.status === 'resolved'
          ? `✅ Resolved after ${describeDuration((incident.resolvedAt ?? incident.lastSeen) - incident.firstSeen)}${incident.resolvedBy ? ` by <@${escapeMrkdwn(incident.resolvedBy)}>` : ''}`
          : undefined;
      break;
    default:
      text = undefined;
  }
  return text === undefined ? undefined : { text: fallbackText([text]), blocks: [section(text)] };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

