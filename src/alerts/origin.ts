import type { Catalogue } from '../catalogue.js';
import { describesLoadOnly, type Signal } from '../sources/signals.js';
import type { IncidentAlert } from './correlate.js';

/**
 * The likely origin. Faults travel from a dependency to its callers, so the origin is an affected
 * service with no other affected service among its dependencies, direct or indirect. Load travels
 * the other way (a surge at a caller reaches its dependencies), so services that are only busier
 * than usual (see isMerelyLoaded) are left out while any other service is affected. Several
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
  const failing = affected.filter((service) => !isMerelyLoaded(alerts.filter((alert) => alert.service === service)));
  const considered = failing.length > 0 ? failing : affected;
  const roots = considered.filter((service) => {
    const beneath = dependenciesOf(service, catalogue);
    return !considered.some((other) => other !== service && beneath.has(other));
  });
  const candidates = roots.length > 0 ? roots : considered;
  candidates.sort((left, right) => firstAffected.get(left)! - firstAffected.get(right)! || left.localeCompare(right));
  return candidates[0];
}

/**
 * Whether one service's alerts, all together, say only that it is busier (or quieter) than usual:
 * its request rate changed, and nothing else did but the CPU and memory that follow it. A
 * prediction that such a service runs out of CPU is the same load seen ahead. An alert whose
 * signals are unknown (Alertmanager's) may be a failure, so it never counts as load.
 */
export function isMerelyLoaded(alerts: readonly Pick<IncidentAlert, 'signals'>[]): boolean {
  const signals: Signal[] = [];
  for (const alert of alerts) {
    if (alert.signals === undefined) return false;
    signals.push(...alert.signals);
  }
  return describesLoadOnly(signals);
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
