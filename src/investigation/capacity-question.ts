import type { Catalogue } from '../catalogue.js';
import { MAXIMUM_FORECAST_HOURS, type ForecastSignal } from './capacity-forecast.js';
import { matchServicesInQuestion, servicesAskedAbout } from './question-services.js';

/** A question about the capacity a service will need: which services, which signal, how far ahead. */
export interface CapacityQuestion {
  /** In the catalogue's order: those named, else the thread's; empty when neither names one. */
  services: string[];
  signal: ForecastSignal;
  horizonHours: number;
}

/** The horizon when the question names none: what `/aiops forecast` takes too. */
const DEFAULT_HORIZON_HOURS = 24;

/** Words that ask for a forecast on their own. */
const ASKS_FOR_FORECAST = /\b(forecasts?|forecasting|predict\w*|projections?|projected|capacity|headroom|run(ning)? out of)\b/;
/** Words that ask for one when the question looks ahead or asks what is needed: "how many replicas will it need tomorrow?", "does cart have enough memory?". */
const ASKS_FOR_SIZE = /\b(how (many|much)|(more|enough|fewer|extra) (replicas|pods|instances|nodes|cpu|memory)|replicas|scale (up|out|down)|grow\w*|rise|increase|go up|exceed|reach|hit|double)\b/;
const LOOKS_AHEAD = /\b(will|going to|gonna|next|tomorrow|tonight|upcoming|coming|ahead|expect\w*|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)|needs?|should|enough)\b/;
/** A question about what went wrong or what to do now is an investigation, even when it speaks of capacity. */
const NOT_A_FORECAST = /\b(why|wrong|broken|fail\w*|crash\w*|caus\w*|blame\w*|fix\w*|restart\w*|roll\w* ?back|who|help)\b|(?<!scale )\bdown\b/;

/** The first of these the question names is the signal forecast; CPU when it names none (replicas are planned on it, as the HPA does). */
const SIGNAL_WORDS: ReadonlyArray<readonly [ForecastSignal, RegExp]> = [
  ['cpu', /\b(cpu|cores?|compute)\b/],
  ['memory', /\b(memory|mem|ram|oom\w*|heap)\b/],
  ['request_rate', /\b(traffic|requests?|rps|qps|load|throughput|calls|demand)\b/],
  ['latency_p95', /\b(latency|response times?|p95)\b/],
  ['error_rate', /\b(errors?|error rate)\b/],
];

const UNIT_HOURS: Readonly<Record<string, number>> = { h: 1, d: 24, w: 168 };

/**
 * The forecast a question asks for ("how many replicas will order-service need tomorrow?", "will
 * payment run out of memory this week?", "forecast checkout traffic for the next 3 days"), or
 * undefined for any other question. Its services are those named, or the thread's; none when
 * neither names one. Pure: `now` dates "today" and "tomorrow".
 */
export function capacityQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[], now: number): CapacityQuestion | undefined {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  const text = rest.replace(/\s+/g, ' ');
  if (NOT_A_FORECAST.test(text)) return undefined;
  if (!ASKS_FOR_FORECAST.test(text) && !(ASKS_FOR_SIZE.test(text) && LOOKS_AHEAD.test(text))) return undefined;
  return { services: servicesAskedAbout(catalogue, services, threadServices), signal: signalOf(text), horizonHours: horizonOf(text, now) };
}

function signalOf(text: string): ForecastSignal {
  let first: { signal: ForecastSignal; at: number } | undefined;
  for (const [signal, pattern] of SIGNAL_WORDS) {
    const at = text.search(pattern);
    if (at >= 0 && (first === undefined || at < first.at)) first = { signal, at };
  }
  return first?.signal ?? 'cpu';
}

/** Hours ahead, from the question's words; a week at most, the forecast's own bound. */
function horizonOf(text: string, now: number): number {
  const counted = /\b(?:next|coming|in|within|over|for)\s+(\d+)\s*(h|hrs?|hours?|d|days?|w|weeks?)\b/.exec(text) ?? /\b(\d+)\s*(h|d|w)\b/.exec(text);
  const single = /\b(?:next|coming|this)\s+(hour|day|week|weekend)\b/.exec(text);
  let hours = DEFAULT_HORIZON_HOURS;
  if (counted) hours = Number(counted[1]) * UNIT_HOURS[counted[2]![0]!]!;
  else if (/\btomorrow\b/.test(text)) hours = hoursUntilMidnight(now) + 24;
  else if (/\b(today|tonight)\b/.test(text)) hours = hoursUntilMidnight(now);
  else if (single) hours = single[1] === 'hour' ? 1 : single[1] === 'day' ? 24 : MAXIMUM_FORECAST_HOURS;
  return Math.min(Math.max(hours, 1), MAXIMUM_FORECAST_HOURS);
}

/** Whole hours from now to the end of the day (UTC, as every time the bot shows), at least one. */
function hoursUntilMidnight(now: number): number {
  return Math.max(1, Math.ceil((86_400_000 - (now % 86_400_000)) / 3_600_000));
}
