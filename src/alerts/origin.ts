import type { Catalogue } from '../catalogue.js';
import { describesLoadOnly, type Signal } from '../signals.js';
import { severityRank } from '../severity.js';
import type { IncidentAlert } from './incident.js';

/**
 * The likely origin. Faults travel from a dependency to its callers, so the origin is an affected
 * service with no other affected service among its dependencies, direct or indirect. Load travels
 * the other way (a surge at a caller reaches its dependencies), so services that are only busier
 * than usual (see isMerelyLoaded) are left out while any other service is affected. Several
 * such services (two separate roots) or none (a dependency cycle) are told apart by evidence
 * (see compareOriginEvidence), never by their names, and never by the order alerts arrived in.
 */
export function originOf(alerts: readonly IncidentAlert[], catalogue: Catalogue): string | undefined {
  const evidence = new Map<string, OriginEvidence>();
  for (const alert of alerts) {
    if (alert.service === undefined) continue;
    const known = evidence.get(alert.service);
    evidence.set(alert.service, {
      onset: Math.min(known?.onset ?? Number.POSITIVE_INFINITY, alert.startsAt),
      severity: Math.max(known?.severity ?? -1, severityRank(alert.severity)),
      alerts: (known?.alerts ?? 0) + 1,
    });
  }
  const affected = [...evidence.keys()];
  const failing = affected.filter((service) => !isMerelyLoaded(alerts.filter((alert) => alert.service === service)));
  const considered = failing.length > 0 ? failing : affected;
  const roots = considered.filter((service) => {
    const beneath = dependenciesOf(service, catalogue);
    return !considered.some((other) => other !== service && beneath.has(other));
  });
  const candidates = roots.length > 0 ? roots : considered;
  if (candidates.length <= 1) return candidates[0];
  const ranked = candidates.map((service) => ({
    service,
    ...evidence.get(service)!,
    depth: callGraphDepth(service, catalogue),
    reach: affected.filter((other) => other !== service && dependenciesOf(other, catalogue).has(service)).length,
    position: callGraph(catalogue).positions.get(service) ?? -1,
  }));
  ranked.sort(compareOriginEvidence);
  return ranked[0]!.service;
}

/** What tells two candidate origins apart, gathered from one incident's alerts and the call graph. */
interface OriginEvidence {
  /** When its first alert began (startsAt, as the source reports it: not when it reached us). */
  onset: number;
  /** Rank of its most urgent alert (see severityRank). */
  severity: number;
  alerts: number;
}

interface RankedCandidate extends OriginEvidence {
  service: string;
  /** Hops of callers above it in the catalogue, at most (see callGraphDepth). */
  depth: number;
  /** Affected services that depend on it, directly or not: how much of the incident it explains. */
  reach: number;
  /** Its place in the catalogue, the operator's order, when all evidence ties. */
  position: number;
}

/**
 * The better origin first: it failed first (faults show downstream first); then it sits deeper in
 * the call graph (further from users, where a fault is seen by more callers); then it is more
 * urgent; then it explains more of the affected services; then it raised more alerts. When all of
 * that ties the catalogue's order decides: the operator's, not the alphabet's.
 */
function compareOriginEvidence(left: RankedCandidate, right: RankedCandidate): number {
  return (
    left.onset - right.onset ||
    right.depth - left.depth ||
    right.severity - left.severity ||
    right.reach - left.reach ||
    right.alerts - left.alerts ||
    left.position - right.position
  );
}

/**
 * The longest chain of callers above a service: 0 for one nothing calls (an entry point such as
 * the frontend), 3 for a database reached through frontend, checkout and order-service. A
 * dependency cycle is walked once.
 */
export function callGraphDepth(service: string, catalogue: Catalogue): number {
  const depths = new Map<string, number>();
  const walking = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    walking.add(name);
    let depth = 0;
    for (const caller of callGraph(catalogue).callers.get(name) ?? []) {
      if (walking.has(caller)) continue;
      depth = Math.max(depth, depthOf(caller) + 1);
    }
    walking.delete(name);
    depths.set(name, depth);
    return depth;
  };
  return depthOf(service);
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
  for (const caller of callGraph(catalogue).callers.get(service) ?? []) neighbours.add(caller);
  return neighbours;
}

interface CallGraph {
  /** Each service's direct callers, in catalogue order. */
  callers: Map<string, string[]>;
  /** Each service's place in the catalogue. */
  positions: Map<string, number>;
}

/** Built once per catalogue (catalogues are never changed once loaded), by its services table. */
const callGraphs = new WeakMap<object, CallGraph>();

/**
 * Who calls whom, the other way round from the catalogue's `dependencies`. Correlation asks for
 * callers on every alert and incident it touches; scanning every service each time would cost an
 * estate of thousands of services that many steps per question.
 */
function callGraph(catalogue: Catalogue): CallGraph {
  const known = callGraphs.get(catalogue.services);
  if (known) return known;
  const callers = new Map<string, string[]>();
  const positions = new Map<string, number>();
  Object.values(catalogue.services).forEach((caller, index) => {
    positions.set(caller.name, index);
    for (const dependency of new Set(caller.dependencies)) {
      const list = callers.get(dependency);
      if (list) list.push(caller.name);
      else callers.set(dependency, [caller.name]);
    }
  });
  const graph = { callers, positions };
  callGraphs.set(catalogue.services, graph);
  return graph;
}
