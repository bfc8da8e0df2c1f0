import type { Catalogue } from './catalogue.js';
import { editDistance } from './edit-distance.js';

/** Suggestions named at most. */
const SUGGESTIONS = 3;
/** A prefix this long is a way of writing a name ("order" for order-service, "catalog" for catalogue). */
const SHORTEST_PREFIX = 4;

/**
 * The catalogued services a name not in the catalogue was probably meant to be, closest first:
 * a typo a few letters away ("paymnet", "shiping"), the name's start ("order", "catalog"), a
 * deployment's name or an alias, or the name with "-service" or a plural added or left off. Empty when
 * nothing is close: then the caller lists what is catalogued.
 */
export function suggestServices(catalogue: Catalogue, name: string): string[] {
  const wanted = normalise(name);
  if (wanted === '') return [];
  const scored: Array<{ service: string; distance: number }> = [];
  for (const service of Object.values(catalogue.services)) {
    const distances = [service.name, service.deployment, ...service.aliases].map((candidate) => closeness(wanted, normalise(candidate)));
    const distance = Math.min(...distances);
    if (Number.isFinite(distance)) scored.push({ service: service.name, distance });
  }
  return scored
    .sort((left, right) => left.distance - right.distance || left.service.localeCompare(right.service))
    .slice(0, SUGGESTIONS)
    .map((entry) => entry.service);
}

/** Lower is closer; Infinity when the two are not close at all. */
function closeness(wanted: string, candidate: string): number {
  const bare = (text: string) => text.replace(/(service|svc|api|app)$/, '').replace(/s$/, '');
  if (bare(wanted) !== '' && bare(wanted) === bare(candidate)) return 0;
  if (wanted.length >= SHORTEST_PREFIX && (candidate.startsWith(wanted) || wanted.startsWith(candidate))) return 0.5;
  const distance = editDistance(wanted, candidate);
  // One edit in a short name, two from eight letters on: "cahce" is cache, "user" is not "uber".
  const allowed = Math.max(wanted.length, candidate.length) >= 8 ? 2 : 1;
  return distance <= allowed ? distance : Number.POSITIVE_INFINITY;
}

/** Lower case, and the dashes, dots and spaces people write or leave out dropped: "Order Service" and "order-service" compare equal. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
