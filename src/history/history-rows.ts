import type { Incident } from '../alerts/incident.js';
import type { AlertSeverity } from '../severity.js';

/** One line of an incident's story, as the history keeps it. */
export interface TimelineEvent {
  /** ISO 8601. */
  at: string;
  event: 'opened' | 'alert-firing' | 'alert-resolved' | 'acknowledged' | 'escalated' | 'resolved' | 'merged';
  detail: string;
}

export interface IncidentFacts {
  /** The severity shown (raised by escalation rules). */
  severity: AlertSeverity;
  acknowledgement?: { by: string; at: number };
  /** Names of the escalation rules that fired. */
  escalations: readonly string[];
}

const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

/**
 * The incident's timeline from what the incident keeps: its opening, each alert's firing and end,
 * who acknowledged it, the escalation rules that fired (when is not kept: placed at the last
 * change), its merge and its resolution, in time order.
 */
export function incidentTimeline(incident: Incident, facts: IncidentFacts): TimelineEvent[] {
  const events: Array<TimelineEvent & { time: number }> = [{ time: incident.firstSeen, at: iso(incident.firstSeen), event: 'opened', detail: `opened on ${incident.services.join(', ') || 'no catalogued service'}` }];
  for (const alert of Object.values(incident.alerts)) {
    const where = alert.service ? ` on ${alert.service}` : '';
    events.push({ time: alert.startsAt, at: iso(alert.startsAt), event: 'alert-firing', detail: `${alert.name}${where}: ${alert.summary}` });
    if (alert.status === 'resolved' && alert.endsAt !== undefined) events.push({ time: alert.endsAt, at: iso(alert.endsAt), event: 'alert-resolved', detail: `${alert.name}${where} ended` });
  }
  if (facts.acknowledgement) events.push({ time: facts.acknowledgement.at, at: iso(facts.acknowledgement.at), event: 'acknowledged', detail: `acknowledged by ${facts.acknowledgement.by}` });
  for (const rule of facts.escalations) events.push({ time: incident.lastSeen, at: iso(incident.lastSeen), event: 'escalated', detail: `escalated by rule "${rule}"` });
  if (incident.mergedInto) events.push({ time: incident.resolvedAt ?? incident.lastSeen, at: iso(incident.resolvedAt ?? incident.lastSeen), event: 'merged', detail: `merged into ${incident.mergedInto}` });
  else if (incident.status === 'resolved' && incident.resolvedAt !== undefined) {
    events.push({ time: incident.resolvedAt, at: iso(incident.resolvedAt), event: 'resolved', detail: incident.resolvedBy ? `resolved by ${incident.resolvedBy}` : 'resolved: its alerts ended' });
  }
  return events.sort((left, right) => left.time - right.time).map(({ time: _time, ...event }) => event);
}
