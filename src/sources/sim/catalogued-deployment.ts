import { catalogueService, type Catalogue } from '../../catalogue.js';
import type { SimWorld } from './world.js';

/**
 * The world's deployment behind a service name: the catalogue's namespace and deployment for it
 * when they are the world's (so a catalogue may name the shop's deployments under names of its
 * own, as bench/scale-catalogue.ts does), else the name itself, which the world then knows or
 * refuses with its usual not-found error.
 */
export function cataloguedDeployment(world: SimWorld, catalogue: Catalogue | undefined, service: string): string {
  const entry = catalogue ? catalogueService(catalogue, service) : undefined;
  if (entry && entry.namespace === world.namespace && world.services().includes(entry.deployment)) return entry.deployment;
  return service;
}
