import type { Catalogue } from '../catalogue.js';
import type { Incident } from './correlate.js';

/**
 * Where an incident is posted: the channel of the service it likely started in (or its first
 * service), else the catalogue's catch-all. Undefined only when neither is set, which start-up
 * refuses with Slack configured (see catchAllProblem).
 */
export function incidentChannel(incident: Pick<Incident, 'origin' | 'services'>, catalogue: Pick<Catalogue, 'services' | 'alerting'>): string | undefined {
  const service = incident.origin ?? incident.services[0];
  return (service === undefined ? undefined : catalogue.services[service]?.channel) ?? catalogue.alerting.defaultChannel;
}
