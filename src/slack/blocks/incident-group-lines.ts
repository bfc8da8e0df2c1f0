import { alertmanagerGroupUrl } from '../../alerts/alertmanager-group-url.js';
import type { Incident } from '../../alerts/correlate.js';
import { describeLabels } from '../../alerts/describe-labels.js';
import { counted, escapeMrkdwn } from './limits.js';
import { slackLink } from './slack-link.js';

/** Enough links to reach the groups without turning the message into a list of them. */
const GROUP_LINKS_SHOWN = 3;

/**
 * What the message says of the incident's Alertmanager groups: the alerts a notification left out
 * (its `max_alerts`), which no incident can show, and links to the groups in Alertmanager.
 */
export function incidentGroupLines(incident: Incident): string[] {
  const groups = Object.values(incident.groups ?? {}).sort((left, right) => describeLabels(left.labels).localeCompare(describeLabels(right.labels)));
  const lines: string[] = [];
  for (const group of groups) {
    if (group.truncatedAlerts <= 0) continue;
    const which = groups.length === 1 ? 'this group' : `group ${escapeMrkdwn(describeLabels(group.labels) || 'with no group labels')}`;
    lines.push(`⚠️ Alertmanager left out ${counted(group.truncatedAlerts, 'alert')} of ${which} (its max_alerts): they are not shown here`);
  }
  const links = groups.flatMap((group) => {
    const url = alertmanagerGroupUrl(group);
    const link = url === undefined ? undefined : slackLink(url, describeLabels(group.labels) || 'the group');
    return link === undefined ? [] : [link];
  });
  if (links.length > 0) {
    const more = links.length > GROUP_LINKS_SHOWN ? ` and ${links.length - GROUP_LINKS_SHOWN} more` : '';
    lines.push(`Alertmanager: ${links.slice(0, GROUP_LINKS_SHOWN).join(' · ')}${more}`);
  }
  return lines;
}
