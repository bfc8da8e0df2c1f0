import type { Catalogue } from '../catalogue.js';
import { suggestServices } from '../service-suggestions.js';
import { matchServicesInQuestion } from './question-services.js';

/** A name the question asks about that the catalogue does not hold, with what it was probably meant to be. */
export interface UnknownService {
  name: string;
  /** Catalogued services close to the name, closest first; empty when none is. */
  suggestions: string[];
}

/**
 * Words that stand where a service would but are not one: pronouns, the estate as a whole, what
 * a question asks about a service (its latency, its errors) and the words around it.
 */
const NOT_A_SERVICE = new Set(
  (
    'a an the it its this that these those there here what why how when where who which whom whose i me my we us our you your they them their he she ' +
    'anything something everything nothing all any some every each none one stuff thing things ' +
    'shop site website web app application apps system systems platform estate cluster clusters prod production staging infra infrastructure ' +
    'service services svc microservice microservices deployment deployments pod pods node nodes namespace ' +
    'fire wrong down up slow slower broken ok okay fine healthy unhealthy failing fail failed working going happening doing running restarting ' +
    'right now today yesterday currently still again so very really too also just only being getting not no yes many much more most less ' +
    'last hour hours minute minutes day days week while since ago recent recently lately ' +
    'latency errors error traffic load requests request cpu memory disk network alerts alert incidents incident anomalies anomaly problem problems issue issues ' +
    'customers customer users people someone anyone everyone nobody team teams'
  ).split(' '),
);

/**
 * A verb puts its subject after it only where the question begins with it or with a question word
 * ("why is X slow", "is X ok", "and is X down"); after a noun the subject came first, and the word
 * after the verb says what it is ("what incidents are open", "which alerts are firing").
 */
const SUBJECT_AFTER_VERB = /(?:^|\b(?:why|how|what|whats|when|where|which|who|and|or|but|so|then|also|still|hey|hi|please|now)\s+)(?:is|are|was|were|does|do|did|has|have|can|cannot|cant|isnt|arent|doesnt|wont|will)\s+(?:the\s+|my\s+|our\s+)?([a-z0-9][a-z0-9-]*)/g;

/** Where a question puts the service it asks about: "why is X slow", "does X fail", "wrong with X", "the X service". */
const SUBJECT_PATTERNS = [
  SUBJECT_AFTER_VERB,
  // Between an auxiliary and its main verb the word is the subject wherever the question starts: "how many replicas will X need".
  /\b(?:will|would|does|do|did|should|can|could)\s+(?:the\s+|my\s+|our\s+)?([a-z0-9][a-z0-9-]*)\s+(?:need|needs|have|get|use|run|hit|reach|handle|cope|break|fail|scale|grow)\b/g,
  /\b(?:with|about|for|of|in|on|check|investigate|inspect|owns|own|maintains|calls|call|uses|use)\s+(?:the\s+|my\s+|our\s+)?([a-z0-9][a-z0-9-]*)\s*$/g,
  /\b(?:wrong|problem|problems|issue|issues)\s+(?:with|in)\s+(?:the\s+|my\s+|our\s+)?([a-z0-9][a-z0-9-]*)/g,
  /\b([a-z0-9][a-z0-9-]*)\s+(?:service|svc|microservice|api|app|deployment|pods?)\b/g,
];

/**
 * The names a question asks about as services that are not catalogued ("why is billing slow?"),
 * each with the catalogued services it may mean. Only the places a question puts its subject are
 * read, so "why is my card declined" does not suggest cart; words that are never services
 * (anything, the shop, latency) are passed over.
 */
export function unknownServicesInQuestion(catalogue: Catalogue, question: string): UnknownService[] {
  const { rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ').trim();
  const names = new Set<string>();
  for (const pattern of SUBJECT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const name = match[1]!;
      if (name.length > 1 && !NOT_A_SERVICE.has(name) && !/^\d+$/.test(name)) names.add(name);
    }
  }
  return [...names].map((name) => ({ name, suggestions: suggestServices(catalogue, name) }));
}

/** Catalogued services listed at most when nothing is close. */
const SERVICES_LISTED = 12;

/** "billing is not a catalogued service. Did you mean shipping?", or the catalogued services when nothing is close. */
export function describeUnknownServices(catalogue: Catalogue, unknown: readonly UnknownService[]): string {
  const named = unknown.map((entry) => entry.name);
  const head = named.length === 1 ? `${named[0]} is not a catalogued service` : `${named.join(', ')} are not catalogued services`;
  const suggestions = [...new Set(unknown.flatMap((entry) => entry.suggestions))];
  if (suggestions.length > 0) return `${head}. Did you mean ${orList(suggestions)}?`;
  const known = Object.keys(catalogue.services).sort();
  const listed = known.length > SERVICES_LISTED ? `${known.slice(0, SERVICES_LISTED).join(', ')} and ${known.length - SERVICES_LISTED} more` : known.join(', ');
  return `${head}. The catalogued services are ${listed}.`;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
