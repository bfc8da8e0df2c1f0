import { describeDuration } from '../../duration.js';
import type { PeriodDigest } from '../../investigation/period-digest.js';
import { capacityWarningMrkdwn } from './home-view.js';
import { SLACK_LIMITS, capBlocks, context, counted, divider, escapeMrkdwn, fallbackText, fitLines, header, section, utcText, type BlockMessage, type KnownBlock } from './limits.js';
import { trendLine } from './trends-message.js';

/** Items listed per part; the rest are counted. Parts of at most one section each keep the digest within Slack's 50 blocks. */
const SHOWN = { incidents: 10, noisiest: 5, actions: 10, trends: 5, capacity: 5 } as const;

/**
 * The scheduled digest: what happened (incidents and how long they lasted, the noisiest alerts,
 * the actions taken) and what is coming (sustained trends, limits a forecast reaches within a
 * week). One section a part, so any period fits one message.
 */
export function digestMessage(digest: PeriodDigest, now: number): BlockMessage {
  const { period } = digest;
  const title = `AIOps ${period.every === 'day' ? 'daily' : 'weekly'} digest`;
  const span = `${utcText(period.start)} – ${utcText(period.end)}`;
  const resolved = digest.incidents.filter((incident) => incident.resolvedAt !== undefined && incident.resolvedAt < period.end).length;
  const summary = [
    counted(digest.incidents.length, 'incident'),
    `${resolved} resolved`,
    ...(digest.meanTimeToResolve !== undefined ? [`mean time to resolve ${describeDuration(digest.meanTimeToResolve)}`] : []),
    counted(digest.actions.length, 'action'),
    counted(digest.capacity.length, 'capacity warning'),
  ].join(' · ');

  const incidentLines = digest.incidents.slice(0, SHOWN.incidents).map((incident) => {
    const state = incident.resolvedAt === undefined ? 'still open' : `resolved after ${describeDuration(incident.resolvedAt - incident.openedAt)}`;
    return `• *${escapeMrkdwn(incident.id)}* ${escapeMrkdwn(incident.services.join(', ') || 'no service')} (${incident.severity}): ${state}`;
  });
  const noisyLines = digest.noisiest.slice(0, SHOWN.noisiest).map((alert) => `• *${escapeMrkdwn(alert.name)}*: ${counted(alert.alerts, 'alert')}, ${counted(alert.changes, 'state change')}, in ${counted(alert.incidents, 'incident')}`);
  const actionLines = digest.actions.slice(0, SHOWN.actions).map((entry) => `• ${utcText(entry.at)} ${escapeMrkdwn(entry.actor)}: ${escapeMrkdwn(entry.action)} ${escapeMrkdwn(entry.target)}, ${escapeMrkdwn(entry.detail)}`);
  const trendLines = digest.trends.slice(0, SHOWN.trends).map((trend) => `• ${escapeMrkdwn(trendLine(trend).text)}`);
  const history = digest.history;
  const historyLines = history
    ? [
        `${counted(history.incidents, 'incident')} first seen in the period, ${history.resolved} resolved${history.meanTimeToResolve === undefined ? '' : `, mean time to resolve ${describeDuration(history.meanTimeToResolve)}`}`,
        ...history.byService.slice(0, 5).map((entry) => `• ${escapeMrkdwn(entry.service)}: ${counted(entry.incidents, 'incident')}${entry.meanTimeToResolve === undefined ? '' : `, resolved in ${describeDuration(entry.meanTimeToResolve)} on average`}`),
        ...history.actions.slice(0, 5).map((entry) => `• ${escapeMrkdwn(entry.kind)} on ${escapeMrkdwn(entry.service)}: ${entry.runs} run, ${entry.helped} helped`),
      ]
    : [];
  const capacityLines = digest.capacity.slice(0, SHOWN.capacity).map((forecast) => capacityWarningMrkdwn(forecast, now));

  const part = (title: string, lines: string[], total: number, emptyText: string): KnownBlock[] => [
    section(`*${title}*\n${lines.length === 0 ? emptyText : fitLines([...lines, ...(total > lines.length ? [`… and ${total - lines.length} more`] : [])], SLACK_LIMITS.sectionText - title.length - 4)}`),
  ];
  const blocks: KnownBlock[] = [
    header(title),
    context([`${span} · ${summary}`]),
    divider(),
    ...part('Incidents', incidentLines, digest.incidents.length, 'None.'),
    ...part('Noisiest alerts', noisyLines, digest.noisiest.length, 'None.'),
    ...part('Actions taken', actionLines, digest.actions.length, 'None.'),
    ...part('Sustained trends', trendLines, digest.trends.length, digest.trendsProblem ? `Not available: ${escapeMrkdwn(digest.trendsProblem)}` : 'No sustained change.'),
    ...part('Capacity within a week', capacityLines, digest.capacity.length, 'No forecast reaches a limit.'),
    ...(history ? part('From the history', historyLines, historyLines.length, 'None.') : []),
    context(['`/aiops incidents`, `/aiops audit`, `/aiops trends` and `/aiops forecast <service>` show more.']),
  ];
  return { text: fallbackText([`${title}, ${span}: ${summary}`]), blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks) };
}
