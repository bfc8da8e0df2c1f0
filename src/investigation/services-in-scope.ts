import type { Catalogue, CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { describesLoadOnly, type Signal } from '../signals.js';

/** The services and, transitively, everything they call: where a named service's trouble can come from. */
export function withDependencies(catalogue: Catalogue, names: string[]): CatalogueService[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !catalogue.services[name]) return;
    seen.add(name);
    for (const dependency of catalogue.services[name]!.dependencies) visit(dependency);
  };
  names.forEach(visit);
  return [...seen].map((name) => catalogue.services[name]!);
}

export interface InvestigationScope {
  services: CatalogueService[];
  /** True when the named services are only busy, so their callers were brought in. */
  widenedToCallers: boolean;
}

/**
 * Where to look for the cause of trouble on the named services. Faults travel up the call graph,
 * so usually what they call; but a service that is merely busy (more requests, and the CPU and
 * memory that follow) is being sent more load, which travels down: then its callers, and what
 * they call, are in scope too. No service named: the whole estate.
 */
export function investigationScope(catalogue: Catalogue, names: string[], recentAnomalies: readonly Anomaly[]): InvestigationScope {
  if (names.length === 0) return { services: Object.values(catalogue.services), widenedToCallers: false };
  const signals = recentAnomalies.filter((anomaly) => names.includes(anomaly.service)).flatMap((anomaly) => anomaly.signals);
  if (signals.length === 0 || !describesLoadOnly(signals)) return { services: withDependencies(catalogue, names), widenedToCallers: false };
  return { services: withLoadSources(catalogue, names, names), widenedToCallers: true };
}

/**
 * The named services and what they call, plus where the load of the busy services comes from:
 * everything that calls them, and what those call. Load travels down the call graph, so a
 * service that is only busier points up, at its callers.
 */
export function withLoadSources(catalogue: Catalogue, names: string[], busy: string[]): CatalogueService[] {
  return withDependencies(catalogue, [...names, ...callersOf(catalogue, busy)]);
}

/**
 * The services in anomaly that are only busier than usual, when that is all there is: none of the
 * named services shows anything, and every anomalous service in scope shows only more load (and
 * the CPU and memory that follow). Empty otherwise, and when no service is named.
 */
export function busyOnly(names: readonly string[], anomalies: readonly Anomaly[]): string[] {
  if (names.length === 0 || anomalies.length === 0 || anomalies.some((anomaly) => names.includes(anomaly.service))) return [];
  const signals = new Map<string, Signal[]>();
  for (const anomaly of anomalies) signals.set(anomaly.service, [...(signals.get(anomaly.service) ?? []), ...anomaly.signals]);
  return [...signals.values()].every(describesLoadOnly) ? [...signals.keys()] : [];
}

/** Everything that calls the named services, directly or through others. */
function callersOf(catalogue: Catalogue, names: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string): void => {
    for (const service of Object.values(catalogue.services)) {
      if (!service.dependencies.includes(name) || found.has(service.name)) continue;
      found.add(service.name);
      visit(service.name);
    }
  };
  names.forEach(visit);
  return [...found];
}
