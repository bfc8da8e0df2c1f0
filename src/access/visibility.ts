import { incidentChannel } from '../alerts/incident-channel.js';
import type { Catalogue } from '../catalogue.js';

/**
 * What someone may see: everything (responders, or `access.visibility: everyone`), or the services
 * of their teams and of the catalogue channels they are in, and the incidents posted in those channels.
 */
export type Visibility = { everything: true } | { everything: false; services: ReadonlySet<string>; channels: ReadonlySet<string> };

export const EVERYTHING: Visibility = { everything: true };

/** Whether the asker sees nothing at all: in no team and in none of the catalogue's channels. */
export function seesNothing(visibility: Visibility): boolean {
  return !visibility.everything && visibility.services.size === 0 && visibility.channels.size === 0;
}

export function seesService(visibility: Visibility, service: string): boolean {
  return visibility.everything || visibility.services.has(service);
}

/** An incident is seen when one of its services is, or when it is posted in a channel the asker is in. */
export function seesIncident(visibility: Visibility, incident: { origin?: string; services: readonly string[] }, catalogue: Pick<Catalogue, 'services' | 'alerting'>): boolean {
  if (visibility.everything || incident.services.some((service) => visibility.services.has(service))) return true;
  const channel = incidentChannel({ origin: incident.origin, services: [...incident.services] }, catalogue);
  return channel !== undefined && visibility.channels.has(channel);
}

/**
 * The catalogue as this asker may use it: only the services they see (a question about another
 * is answered as about an unknown service, and the agent's tools refuse it). Lookups stay by own
 * keys, as in the parsed catalogue.
 */
export function visibleCatalogue(catalogue: Catalogue, visibility: Visibility): Catalogue {
  if (visibility.everything) return catalogue;
  const services = Object.create(null) as Catalogue['services'];
  for (const [name, service] of Object.entries(catalogue.services)) if (visibility.services.has(name)) services[name] = service;
  return { ...catalogue, services };
}
