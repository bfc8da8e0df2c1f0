import type { Catalogue, CatalogueService } from '../catalogue.js';

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
