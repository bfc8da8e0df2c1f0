import type { Incident } from './incident.js';
import { describeLabels } from './describe-labels.js';

/**
 * What an incident is about, in a few words, for its title: its likely origin, else one of its
 * catalogued services, else the labels of its Alertmanager group (`service=probe-svc-3`, or
 * `alertname=NodeDown, cluster=eu-1`), which is how Alertmanager itself names it; 'unknown
 * service' only when nothing names it at all.
 */
export function incidentSubject(incident: Pick<Incident, 'origin' | 'services' | 'groups'>): string {
  return incident.origin ?? incident.services[0] ?? incidentGroupNames(incident)[0] ?? 'unknown service';
}

/** Its Alertmanager groups as their labels name them, sorted, each once; groups cut by no label are left out. */
export function incidentGroupNames(incident: Pick<Incident, 'groups'>): string[] {
  const names = Object.values(incident.groups ?? {}).flatMap((group) => (Object.keys(group.labels).length > 0 ? [describeLabels(group.labels)] : []));
  return [...new Set(names)].sort();
}
