import type { Catalogue } from '../catalogue.js';
import { matchServicesInQuestion, servicesAskedAbout } from './question-services.js';

/** A question about past incidents: of which service (or all), over how many days. */
export interface HistoryQuestion {
  service?: string;
  days: number;
}

/** The longest window `/aiops history` reads: a year of PostgreSQL rows is still one query. */
export const MAXIMUM_HISTORY_DAYS = 365;
/** The window when the question names a past but no length ("how often does payment break?"): what `/aiops history` takes too. */
const DEFAULT_HISTORY_DAYS = 30;

const ABOUT_INCIDENTS = /\b(incidents?|outages?|alerts?|pages?|paged|mttr|mean time to (resolve|recover\w*)|happened|went wrong|break\w*|broke\w*|fail\w*|down)\b/;
const ASKS_FOR_PAST = /\b(history|how many|how often|mttr|mean time|last|past|this (week|month|year)|yesterday)\b/;
/** A cause is investigated ("did the deploy break payment last night?" blames a change); what is open now lists the open incidents. */
const ASKS_FOR_MORE = /\b(why|caus\w*|blame\w*|culprit|fix\w*|root|deploy\w*|release\w*|rollout\w*|change\w*|open|firing|now|currently|right now)\b/;
const UNIT_DAYS: Readonly<Record<string, number>> = { d: 1, w: 7, m: 30, y: 365 };

/**
 * The incident history a question asks for ("how many incidents did we have last week?", "what
 * happened last night?", "how often did payment break this month?"), as `/aiops history` sums it
 * up from PostgreSQL: of the one service named (or the thread's one), else of every service.
 * Undefined for any other question. Pure.
 */
export function historyQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[]): HistoryQuestion | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  if (!ABOUT_INCIDENTS.test(text) || !ASKS_FOR_PAST.test(text) || ASKS_FOR_MORE.test(text)) return undefined;
  // "What happened in the last hour?" is about now: an investigation looks at the last half hour anyway.
  if (/\b(last|past) (\d+ )?(minutes?|hours?)\b|\blast hour\b/.test(text)) return undefined;
  const asked = servicesAskedAbout(catalogue, services, threadServices);
  return { ...(asked.length === 1 ? { service: asked[0]! } : {}), days: daysOf(text) };
}

/** The window the question names, in whole days back from now, a day to a year. */
function daysOf(text: string): number {
  const counted = /\b(?:last|past|in|within|over|for)\s+(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)\b/.exec(text);
  const single = /\b(?:last|past|this)\s+(day|week|month|year)\b/.exec(text);
  let days = DEFAULT_HISTORY_DAYS;
  if (counted) days = Number(counted[1]) * UNIT_DAYS[counted[2]![0]!]!;
  else if (/\b(yesterday|last night)\b/.test(text)) days = 2;
  else if (single) days = UNIT_DAYS[single[1]![0]!]!;
  return Math.min(Math.max(days, 1), MAXIMUM_HISTORY_DAYS);
}
