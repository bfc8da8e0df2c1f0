import type { Catalogue } from '../catalogue.js';
import { matchServicesInQuestion, SERVICE_PLACEHOLDER } from './question-services.js';

/** What a question about the estate's layout asks: who owns a service, who is paged for it, what it calls, what calls it. */
export type CatalogueTopic = 'owner' | 'paging' | 'calls' | 'callers';

export interface CatalogueQuestion {
  topic: CatalogueTopic;
  /** The services asked about: those named, else the thread's, else every catalogued service. */
  services: string[];
}

// The service stands as SERVICE_PLACEHOLDER in the text these read (see matchServicesInQuestion).
const S = SERVICE_PLACEHOLDER;

/**
 * A question about trouble ("who owns the payment outage?", "why is checkout slow, who owns it?")
 * wants an investigation, whose answer names the suspect's owner anyway.
 */
export const TROUBLE =
  /\b(why|slow\w*|fail\w*|error\w*|down|broken|latency|wrong|problem\w*|issues?|incidents?|alert\w*|timeout\w*|timing out|crash\w*|health\w*|ok|okay|happening|going on|outage\w*|degraded|spik\w*|leak\w*|restart\w*|break\w*|broke\w*|caus\w*|blame\w*|culprit|bad|regress\w*|was it|is it)\b/;

/** First match wins: paging before ownership ("who is on call for the team owning X"), callers before calls ("what depends on X" vs "what does X depend on"). */
const TOPIC_PATTERNS: ReadonlyArray<readonly [CatalogueTopic, RegExp]> = [
  ['paging', /\b(on ?call|on-call|oncall|pager|paged|paging|escalat\w*)\b|\bwho (do|should|can|would) (i|we) (page|call|ping|contact|wake)\b|\bwho to (page|call|ping|contact|wake)\b/],
  ['owner', /\bwho (owns|own|maintains|maintain|runs|is responsible for|are responsible for|looks after|look after|is in charge of|built|wrote)\b|\bowners?\b|\bownership\b|\bowned by\b|\b(which|what) team\b|\bwhose\b/],
  [
    'callers',
    new RegExp(
      `\\b(what|who|which( other)?( services?)?) (else )?(calls|call|depends on|depend on|uses|use|talks to|talk to|relies on|rely on|needs|need|sends to|hits)( the)? ${S}|\\b(callers|dependents|consumers|upstream)\\b`,
    ),
  ],
  ['calls', new RegExp(`\\b(does|do) ${S} (call|depend on|use|talk to|rely on|need|hit)\\b|\\b${S} (calls|depends on|uses|talks to|relies on|needs)\\b|\\b(dependencies|dependency|deps|downstreams?|callees)\\b`)],
];

/**
 * The layout question a question is, or undefined for anything else (which the investigation
 * answers). Pure: the catalogue answers these, so they need no metrics, and no model.
 */
export function catalogueQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[]): CatalogueQuestion | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  // "what calls it?" in a thread reads as "what calls @": the pronoun stands for the thread's service.
  const text = rest.replace(/\s+/g, ' ').replace(/\b(it|them|this one|that one)\b/g, S);
  if (TROUBLE.test(text)) return undefined;
  const topic = TOPIC_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
  if (topic === undefined) return undefined;
  // In the catalogue's order, as every list of services the bot shows.
  if (services.length > 0) return { topic, services: Object.keys(catalogue.services).filter((service) => services.includes(service)) };
  // "who owns it?" in a thread about payment; "who owns what?" anywhere else.
  const inThread = threadServices.filter((service) => Object.hasOwn(catalogue.services, service));
  return { topic, services: inThread.length > 0 ? inThread : Object.keys(catalogue.services) };
}
