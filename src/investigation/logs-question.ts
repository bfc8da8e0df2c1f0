import type { Catalogue } from '../catalogue.js';
import { matchServicesInQuestion, servicesAskedAbout } from './question-services.js';

/** A question about what a service is logging: which services, over how many minutes. */
export interface LogsQuestion {
  /** In the catalogue's order: those named, else the thread's; empty when neither names one. */
  services: string[];
  minutes: number;
}

/** The window when the question names none: what `/aiops logs` takes too. */
export const DEFAULT_LOG_MINUTES = 15;
/** The longest window: log template counts are kept two days, but a day is already a lot to read in chat. */
export const MAXIMUM_LOG_MINUTES = 24 * 60;

const ASKS_FOR_LOGS = /\b(logs?|logging|logged|log lines|log templates?|log messages?|log patterns?)\b/;
/** "Why is payment logging errors?" asks for a cause: the investigation reads the logs as evidence, beside the metrics. */
const ASKS_FOR_CAUSE = /\b(why|caus\w*|blame\w*|culprit|root|fix\w*|what went wrong|broken|slow\w*|down)\b/;
const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440 };

/**
 * The logs a question asks for ("what is payment logging?", "show me checkout's logs for the last
 * hour", "any new errors in the order-service logs?"), or undefined for any other question. Its
 * services are those named, or the thread's; none when neither names one. Pure.
 */
export function logsQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[]): LogsQuestion | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  if (!ASKS_FOR_LOGS.test(text) || ASKS_FOR_CAUSE.test(text)) return undefined;
  return { services: servicesAskedAbout(catalogue, services, threadServices), minutes: minutesOf(text) };
}

/** The window the question names, a minute to a day. */
function minutesOf(text: string): number {
  const counted = /\b(?:last|past|in|within|over|for)\s+(\d+)\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?)\b/.exec(text) ?? /\b(\d+)\s*(m|h|d)\b/.exec(text);
  const single = /\b(?:last|past|this)\s+(minute|hour|day)\b/.exec(text);
  const minutes = counted ? Number(counted[1]) * UNIT_MINUTES[counted[2]![0]!]! : single ? UNIT_MINUTES[single[1]![0]!]! : DEFAULT_LOG_MINUTES;
  return Math.min(Math.max(minutes, 1), MAXIMUM_LOG_MINUTES);
}
