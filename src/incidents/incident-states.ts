import type { Incident } from '../alerts/incident.js';

/**
 * Where an incident stands for the people on call: open and nobody on it yet, acknowledged, resolved
 * (kept a while for its thread and the digest), or merged into another. Each incident is in one.
 */
export const INCIDENT_STATES = ['open', 'acknowledged', 'resolved', 'merged'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** How many of the kept incidents are in each state. */
export function countIncidentStates(incidents: ReadonlyArray<Pick<Incident, 'id' | 'status' | 'mergedInto'>>, acknowledged: ReadonlySet<string>): Record<IncidentState, number> {
  const counts: Record<IncidentState, number> = { open: 0, acknowledged: 0, resolved: 0, merged: 0 };
  for (const incident of incidents) {
    const state: IncidentState = incident.mergedInto !== undefined ? 'merged' : incident.status === 'resolved' ? 'resolved' : acknowledged.has(incident.id) ? 'acknowledged' : 'open';
    counts[state] += 1;
  }
  return counts;
}
