import type { Catalogue } from '../catalogue.js';
import { matchServicesInQuestion } from './question-services.js';

const ABOUT_INCIDENTS = /\b(incidents?|alerts?|firing|paging|pages)\b/;
const ASKS_FOR_LIST = /\b(open|active|current|currently|ongoing|firing|paging|now|list|show|any|which|what|whats)\b/;
/** "Why are so many alerts firing?" asks for a cause; "how many incidents last week?" for the history; "who is paged?" the catalogue. */
const ASKS_FOR_MORE = /\b(why|caus\w*|blame\w*|culprit|fix\w*|root|who|last|past|yesterday|history|week|month|night|resolved|mttr|how many|how often)\b/;

/**
 * Whether a question asks for the open incidents of the estate ("what incidents are open?",
 * "what's firing?", "any open incidents?"), as `/aiops incidents` lists them. A question naming a
 * service is about that service, and is left to the others. Pure.
 */
export function incidentsQuestion(catalogue: Catalogue, question: string): boolean {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  return services.length === 0 && ABOUT_INCIDENTS.test(text) && ASKS_FOR_LIST.test(text) && !ASKS_FOR_MORE.test(text);
}
