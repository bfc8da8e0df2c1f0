import type { Incident } from '../alerts/correlate.js';
import { describeDuration } from '../duration.js';
import type { RecentChange } from '../sources/recent-changes.js';

/** What an incident's thread says when it resolves: the story in a few lines. */
export interface ResolutionSummary {
  incidentId: string;
  /** Milliseconds from the first alert to the resolution. */
  durationMilliseconds: number;
  /** The likely root cause and the alert that showed it, when the incident has an origin. */
  rootCause?: { service: string; evidence?: string };
  /** Oldest first: alerts starting and ending, changes made, the resolution. */
  timeline: Array<{ at: number; text: string }>;
  /** Changes made to the incident's services while it was open, with what followed. */
  actions: Array<{ at: number; text: string; effect: string }>;
  resolvedBy?: string;
  /** Written by the LLM from the fields above, when one is configured and answered. */
  narrative?: string;
}

/** Timeline rows kept: enough to tell the story of a storm without reprinting it. */
const TIMELINE_ROWS = 12;

/**
 * The summary from the incident's own record and the changes made to its services while it was
 * open: no model needed. A change is credited with the resolution only as "resolved N min later";
 * whether it caused the recovery is for a person to judge.
 */
export function resolutionSummary(incident: Incident, changes: readonly RecentChange[]): ResolutionSummary {
  const resolvedAt = incident.resolvedAt ?? incident.lastSeen;
  const alerts = Object.values(incident.alerts).sort((left, right) => left.startsAt - right.startsAt);
  const duringIncident = changes
    .filter((change) => incident.services.includes(change.service) && change.at >= incident.firstSeen && change.at <= resolvedAt)
    .sort((left, right) => left.at - right.at);

  const timeline: ResolutionSummary['timeline'] = [];
  for (const alert of alerts) {
    timeline.push({ at: alert.startsAt, text: `${alert.summary} (${alert.severity})` });
    if (alert.endsAt !== undefined && alert.endsAt < resolvedAt) timeline.push({ at: alert.endsAt, text: `cleared: ${alert.summary}` });
  }
  for (const change of duringIncident) timeline.push({ at: change.at, text: `${change.kind}: ${change.description}` });
  timeline.sort((left, right) => left.at - right.at);
  const shown = timeline.length > TIMELINE_ROWS ? [...timeline.slice(0, TIMELINE_ROWS - 1), { at: timeline.at(-1)!.at, text: `… ${timeline.length - TIMELINE_ROWS + 1} more events` }] : timeline;
  shown.push({ at: resolvedAt, text: incident.resolvedBy ? `resolved by hand` : 'resolved: every alert cleared' });

  const origin = incident.origin;
  const originAlert = origin === undefined ? undefined : alerts.find((alert) => alert.service === origin);
  return {
    incidentId: incident.id,
    durationMilliseconds: Math.max(0, resolvedAt - incident.firstSeen),
    ...(origin === undefined ? {} : { rootCause: { service: origin, ...(originAlert ? { evidence: originAlert.summary } : {}) } }),
    timeline: shown,
    actions: duringIncident.map((change) => ({ at: change.at, text: change.description, effect: `resolved ${describeDuration(resolvedAt - change.at)} later` })),
    ...(incident.resolvedBy ? { resolvedBy: incident.resolvedBy } : {}),
  };
}

