import type { Alert } from './alert.js';
import type { Incident, IncidentChange, IncidentGroup } from './incident.js';

/**
 * Remembers the Alertmanager group the alert came in on the incident now holding it: its labels
 * name the incident, its externalURL links to it, and its truncatedAlerts is told on the message.
 * A redelivery that changes what is known of the group redraws the message ('updated').
 */
export function recordAlertGroup<Result extends { incidents: Incident[]; change: IncidentChange }>(result: Result, alert: Alert): Result {
  const group = alert.group;
  const incidentId = result.change.incidentId;
  if (!group || incidentId === undefined) return result;
  const incident = result.incidents.find((candidate) => candidate.id === incidentId);
  // Only the alert's own source speaks for it: another source's delivery changes nothing of the incident.
  if (!incident || !Object.hasOwn(incident.alerts, alert.fingerprint) || incident.alerts[alert.fingerprint]!.source !== alert.source) return result;
  const recorded: IncidentGroup = { labels: group.labels, receiver: group.receiver, ...(group.externalURL ? { externalURL: group.externalURL } : {}), truncatedAlerts: group.truncatedAlerts };
  const known = incident.groups !== undefined && Object.hasOwn(incident.groups, group.key) ? incident.groups[group.key] : undefined;
  if (known && JSON.stringify(known) === JSON.stringify(recorded)) return result;
  const updated: Incident = { ...incident, groups: { ...incident.groups, [group.key]: recorded } };
  const change = known && result.change.kind === 'duplicate' ? { ...result.change, kind: 'updated' as const, reason: `${result.change.reason}; its Alertmanager group changed` } : result.change;
  return { ...result, incidents: result.incidents.map((candidate) => (candidate.id === incidentId ? updated : candidate)), change };
}
