import type { Catalogue, CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { describesLoadOnly } from '../signals.js';

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
  return { services: withDependencies(catalogue, [...names, ...callersOf(catalogue, names)]), widenedToCallers: true };
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
