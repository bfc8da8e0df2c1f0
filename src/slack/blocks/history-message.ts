import { formatDuration } from '../../duration.js';
import type { HistorySummary } from '../../history/history-database.js';
import { escapeMrkdwn, fallbackText, fitLines, section, SLACK_LIMITS, type BlockMessage } from './limits.js';

const utc = (milliseconds: number) => `${new Date(milliseconds).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const minutes = (milliseconds: number) => formatDuration(Math.max(60_000, Math.round(milliseconds / 60_000) * 60_000));

/** `/aiops history`: the incidents of a window from PostgreSQL, how fast they were resolved, per service, the actions that helped, the latest few. */
export function historyMessage(summary: HistorySummary, options: { service?: string; days: number }): BlockMessage {
  const scope = options.service ? ` on ${options.service}` : '';
  const resolvedIn = summary.meanTimeToResolve === undefined ? '' : `, mean time to resolve ${minutes(summary.meanTimeToResolve)}`;
  const headline = `*History of the last ${options.days} day${options.days === 1 ? '' : 's'}${escapeMrkdwn(scope)}:* ${summary.incidents} incident${summary.incidents === 1 ? '' : 's'}, ${summary.resolved} resolved${resolvedIn}.`;
  if (summary.incidents === 0 && summary.actions.length === 0) return { text: fallbackText([headline]), blocks: [section(headline)] };
  const byService = summary.byService.map((entry) => `• ${escapeMrkdwn(entry.service)}: ${entry.incidents}${entry.meanTimeToResolve === undefined ? '' : `, resolved in ${minutes(entry.meanTimeToResolve)} on average`}`);
  const actions = summary.actions.map((entry) => `• ${escapeMrkdwn(entry.kind)} on ${escapeMrkdwn(entry.service)}: ${entry.runs} run, ${entry.helped} helped`);
  const latest = summary.latest.map((incident) => {
    const state = incident.resolvedAt === undefined ? 'still open' : `resolved${incident.resolvedBy ? ` by ${incident.resolvedBy.startsWith('U') || incident.resolvedBy.startsWith('W') ? `<@${incident.resolvedBy}>` : escapeMrkdwn(incident.resolvedBy)}` : ''} after ${minutes(incident.resolvedAt - incident.firstSeen)}`;
    return `• *${escapeMrkdwn(incident.id)}* ${utc(incident.firstSeen)} ${incident.severity} on ${escapeMrkdwn(incident.services.join(', ') || 'no catalogued service')}: ${state}`;
  });
  const part = (title: string, lines: string[], empty: string) => section(`*${title}*\n${lines.length === 0 ? empty : fitLines(lines, SLACK_LIMITS.sectionText - title.length - 4)}`);
  const blocks = [section(headline), part('By service', byService, 'None.'), part('Remediation actions that ran', actions, 'None.'), part('Latest', latest, 'None.')];
  return { text: fallbackText([headline, ...latest]), blocks };
}
