import type { Catalogue } from '../catalogue.js';
import { matchServicesInQuestion, servicesAskedAbout } from './question-services.js';

const ASKS_FOR_TRENDS = /\b(trends?|trending|week over week|day over day|(compared|comparison) (to|with) (last|a) week|(than|vs|versus) last week|(got|getting|gotten) (worse|better|slower|faster)|since the last (deploy|release|rollout))\b/;
/** A cause or a fix is investigated, trend or not. */
const ASKS_FOR_CAUSE = /\b(why|caus\w*|blame\w*|culprit|fix\w*|root)\b/;

/**
 * The trends a question asks for ("how is checkout doing compared to last week?", "what got worse
 * since the last deploy?", "any trends on cart?"), as `/aiops trends` lists them: of the one
 * service named (or the thread's one), else of every service. Undefined for any other question. Pure.
 */
export function trendsQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[]): { service?: string } | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  if (!ASKS_FOR_TRENDS.test(text) || ASKS_FOR_CAUSE.test(text)) return undefined;
  const asked = servicesAskedAbout(catalogue, services, threadServices);
  // One service is a focused list; several are read as the estate's, where each of them shows.
  return asked.length === 1 ? { service: asked[0]! } : {};
}
