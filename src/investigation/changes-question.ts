import type { Catalogue } from '../catalogue.js';
import { TROUBLE } from './catalogue-question.js';
import { matchServicesInQuestion, servicesAskedAbout } from './question-services.js';

/** A question about what changed: which services, and since when. */
export interface ChangesQuestion {
  /** The services asked about: those named, else the thread's, else every catalogued service. */
  services: string[];
  /** Milliseconds since the epoch. */
  since: number;
  /** The window in words, as it ends a sentence: "in the last hour", "today (since 00:00 UTC)". */
  window: string;
}

/** The window when the question names none: the investigation's own change window. */
export const DEFAULT_CHANGE_HOURS = 6;
/** The longest window read: a week of rollouts and events is still one short list per service. */
export const MAXIMUM_CHANGE_HOURS = 7 * 24;

const ASKS_FOR_CHANGES =
  /\b(what|which|when|any|anything|were there|was there|has|have|did|recent|recently|latest|last|list|show)\b.*\b(changed|changes|change|deployed|deploys?|deployments|rolled out|rollouts?|rolled back|rollbacks?|released|releases?|shipped|scaled)\b|\bwho (deployed|changed|released|shipped|rolled out|rolled back|scaled)\b|\b(changes|deploys|deployments|rollouts|releases)\b/;

const UNIT_HOURS: Readonly<Record<string, number>> = { m: 1 / 60, h: 1, d: 24, w: 168 };

/**
 * The changes a question asks for ("what changed in the last hour?", "any deploys to payment
 * today?", "recent changes"), or undefined for any other question. A question about trouble ("what
 * changed before checkout got slow?") is left to the investigation, which weighs the changes
 * against the anomalies. Pure: `now` dates the window.
 */
export function changesQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[], now: number): ChangesQuestion | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  if (TROUBLE.test(text) || !ASKS_FOR_CHANGES.test(text)) return undefined;
  const asked = servicesAskedAbout(catalogue, services, threadServices);
  return { services: asked.length > 0 ? asked : Object.keys(catalogue.services), ...windowOf(text, now) };
}

/** The window a question names, from its words; at most a week. */
function windowOf(text: string, now: number): { since: number; window: string } {
  if (/\btoday\b/.test(text)) return { since: startOfDay(now), window: 'today (since 00:00 UTC)' };
  if (/\byesterday\b/.test(text)) return { since: startOfDay(now) - 86_400_000, window: 'since yesterday 00:00 UTC' };
  // "When was payment last deployed?" names no window and may reach back days: the longest is read.
  if (/\bwhen\b/.test(text) && !/\b(last|past|in|within)\s+\d/.test(text)) return lastHours(MAXIMUM_CHANGE_HOURS, now);
  const counted = /\b(?:last|past|in|within)\s+(\d+)\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b/.exec(text) ?? /\b(\d+)\s*(m|h|d|w)\b/.exec(text);
  const single = /\b(?:last|past|this)\s+(minute|hour|day|week)\b/.exec(text);
  const hours = counted ? Number(counted[1]) * UNIT_HOURS[counted[2]![0]!]! : single ? UNIT_HOURS[single[1]![0]!]! : DEFAULT_CHANGE_HOURS;
  return lastHours(hours, now);
}

/** The last so many hours, a minute to a week, and the words for them: "in the last 6 hours". */
export function lastHours(hours: number, now: number): { since: number; window: string } {
  const bounded = Math.min(Math.max(hours, 1 / 60), MAXIMUM_CHANGE_HOURS);
  return { since: now - bounded * 3_600_000, window: `in the last ${describeHours(bounded)}${hours > MAXIMUM_CHANGE_HOURS ? ' (a week at most is read)' : ''}` };
}

function startOfDay(now: number): number {
  return now - (now % 86_400_000);
}

/** "hour", "6 hours", "30 minutes", "7 days". */
function describeHours(hours: number): string {
  if (hours < 1) return Math.round(hours * 60) === 1 ? 'minute' : `${Math.round(hours * 60)} minutes`;
  if (hours === 1) return 'hour';
  if (hours % 24 === 0 && hours >= 48) return `${hours / 24} days`;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} hours`;
}
