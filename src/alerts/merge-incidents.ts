import type { Incident, IncidentGroup } from './incident.js';

/** The survivor of a merge, and the incidents it took in, closed. */
export interface MergedIncidents {
  survivor: Incident;
  closed: Incident[];
}

/**
 * Folds `absorbed` into `survivor` when an alert showed they are one story. The survivor takes
 * every alert and Alertmanager group, stays flapping if any was, and remembers whom it took in.
 * Each absorbed incident is closed (resolved at `at`, its alerts handed over, so nothing finds it
 * by an alert again) and points at the survivor; what it showed before (services, origin,
 * severity, times) is kept for its message. Derived fields of the survivor are left to the caller,
 * which recomputes them as it adds the alert that bridged them.
 */
export function mergeIncidents(survivor: Incident, absorbed: readonly Incident[], at: number): MergedIncidents {
  const alerts = { ...survivor.alerts };
  const groups: Record<string, IncidentGroup> = { ...survivor.groups };
  for (const incident of absorbed) {
    for (const [fingerprint, alert] of Object.entries(incident.alerts)) {
      const known = alerts[fingerprint];
      if (!known || alert.lastSeen > known.lastSeen) alerts[fingerprint] = alert;
    }
    for (const [key, group] of Object.entries(incident.groups ?? {})) groups[key] ??= group;
  }
  const merged: Incident = {
    ...survivor,
    alerts,
    ...(Object.keys(groups).length > 0 ? { groups } : {}),
    flapping: survivor.flapping || absorbed.some((incident) => incident.flapping),
    mergedFrom: [...(survivor.mergedFrom ?? []), ...absorbed.map((incident) => incident.id)],
  };
  const closed = absorbed.map((incident): Incident => ({ ...incident, alerts: {}, status: 'resolved', resolvedAt: at, mergedInto: survivor.id }));
  return { survivor: merged, closed };
}
