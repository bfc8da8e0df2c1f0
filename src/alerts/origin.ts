import type { Catalogue } from '../catalogue.js';
import type { IncidentAlert } from './correlate.js';

/**
 * The likely origin. Faults travel from a dependency to its callers, so the origin is an affected
 * service with no other affected service among its dependencies, direct or indirect. Several
 * such services (two separate roots) or none (a dependency cycle) fall back to the one affected
 * first, then to the name, so the answer never depends on delivery order.
 */
export function originOf(alerts: readonly IncidentAlert[], catalogue: Catalogue): string | undefined {
  const firstAffected = new Map<string, number>();
  for (const alert of alerts) {
    if (alert.service === undefined) continue;
    firstAffected.set(alert.service, Math.min(firstAffected.get(alert.service) ?? Number.POSITIVE_INFINITY, alert.startsAt));
  }
  const affected = [...firstAffected.keys()];
  const roots = affected.filter((service) => {
    const beneath = dependenciesOf(service, catalogue);
    return !affected.some((other) => other !== service && beneath.has(other));
  });
  const candidates = roots.length > 0 ? roots : affected;
  candidates.sort((left, right) => firstAffected.get(left)! - firstAffected.get(right)! || left.localeCompare(right));
  return candidates[0];
}

/** Every service `service` calls, directly or through others. */
export function dependenciesOf(service: string, catalogue: Catalogue): Set<string> {
  const seen = new Set<string>();
  const pending = [...(catalogue.services[service]?.dependencies ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...(catalogue.services[next]?.dependencies ?? []));
  }
  return seen;
}

/** Direct callers and callees: the services a fault can reach in one hop. */
export function neighboursOf(service: string, catalogue: Catalogue): Set<string> {
  const neighbours = new Set(catalogue.services[service]?.dependencies ?? []);
  for (const candidate of Object.values(catalogue.services)) {
    if (candidate.dependencies.includes(service)) neighbours.add(candidate.name);
  }
  return neighbours;
}

/**
 * The open incident a new alert belongs to: active within the window, and sharing its service
 * (preferred) or holding a neighbour. An alert naming no service joins only an incident holding
 * a service-less alert of the same group. Ties go to the most recently active incident, then the
 * oldest, then the id, so replicas reach the same answer.
 */
