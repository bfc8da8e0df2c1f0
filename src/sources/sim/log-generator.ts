import { levelRank, type LogEntry, type LogLevel } from '../../logs/log-entry.js';
import { estateProfile } from './estate.js';
import { SERVICE_LOG_TEMPLATES, SLOW_REQUEST_TEMPLATES, upstreamErrorTemplates, upstreamSlowTemplates } from './log-templates.js';
import { hashKey, integerBetween, uniform } from './random.js';
import { TICK_MILLISECONDS, type ServiceSnapshot, type SimWorld } from './world.js';

/**
 * Log lines for one service and one minute, derived from the world's state in that minute:
 * volume follows traffic, errors follow the error rate, and faults and their propagation leave
 * their own messages. Deterministic: the same minute always yields the same lines.
 */

/** A busy service's error log is sampled at this many lines a minute, as log pipelines do. */
const MAXIMUM_ERROR_LINES_PER_MINUTE = 240;
const MAXIMUM_INFO_LINES_PER_MINUTE = 120;
const MAXIMUM_WARN_LINES_PER_MINUTE = 40;

interface LineCounts {
  info: number;
  warn: number;
  error: number;
  /** Error lines that carry the fault's own messages. */
  fault: number;
}

/** How many lines of each level the minute starting at `minuteStart` holds. */
export function lineCounts(world: SimWorld, service: string, minuteStart: number): LineCounts {
  const state = world.snapshot(service, minuteStart + TICK_MILLISECONDS);
  const profile = estateProfile(service)!;
  const draw = (name: string): number => uniform(world.seed, 'log-count', service, name, minuteStart);
  const requests = state.requestRate * 60;
  const info = Math.min(MAXIMUM_INFO_LINES_PER_MINUTE, Math.floor(requests / profile.requestsPerInfoLine + draw('info')));
  const slowShare = state.upstream?.kind === 'latency' ? 1 : state.latencyP95Seconds > 1 ? 0.5 : 0;
  const warn = Math.min(MAXIMUM_WARN_LINES_PER_MINUTE, Math.floor((slowShare * 5 * requests) / profile.requestsPerInfoLine + draw('warn')));
  const error = Math.min(MAXIMUM_ERROR_LINES_PER_MINUTE, Math.floor(state.errorRate * requests + draw('error')));
  const fault = faultLines(state, draw('fault'));
  return { info, warn, error, fault };
}

function faultLines(state: ServiceSnapshot, draw: number): number {
  const fault = state.fault;
  if (!fault) return 0;
  // A leak is silent until the heap is nearly full; then the GC starts complaining.
  if (fault.leakBytesPerSecond && !state.memoryNearLimit) return 0;
  return Math.floor((fault.errorLinesPerMinute ?? 4) + draw);
}

/**
 * Every line of the minute starting at `minuteStart` at `minimumLevel` or more severe, oldest first.
 * A line is drawn from its own key alone, so leaving out the milder levels changes none of the
 * others: an error search then costs the error lines only, not the info lines that outnumber them
 * (they were most of what the bot allocated, as garbage, answering for an incident).
 */
export function linesForMinute(world: SimWorld, service: string, minuteStart: number, minimumLevel: LogLevel = 'debug'): LogEntry[] {
  const state = world.snapshot(service, minuteStart + TICK_MILLISECONDS);
  const counts = lineCounts(world, service, minuteStart);
  const templates = SERVICE_LOG_TEMPLATES[service]!;
  const entries: LogEntry[] = [];
  const minimumRank = levelRank(minimumLevel);
  const add = (level: LogLevel, choices: string[], count: number, kind: string): void => {
    if (levelRank(level) < minimumRank) return;
    for (let index = 0; index < count; index += 1) {
      const key = [world.seed, service, minuteStart, kind, index] as const;
      const template = choices[hashKey(...key, 'template') % choices.length]!;
      const pod = state.pods.length > 0 ? state.pods[hashKey(...key, 'pod') % state.pods.length]!.name : undefined;
      entries.push({
        timestamp: minuteStart + Math.floor(uniform(...key, 'time') * TICK_MILLISECONDS),
        service,
        pod,
        level,
        message: fillTemplate(template, state, (hole) => uniform(...key, hole)),
      });
    }
  };
  add('info', templates.info, counts.info, 'info');
  add('warn', warnTemplates(state), counts.warn, 'warn');
  add('error', errorTemplates(state, templates.error), counts.error, 'error');
  add('error', state.fault?.errorLogTemplates ?? [], counts.fault, 'fault');
  return entries.sort((left, right) => left.timestamp - right.timestamp);
}

function warnTemplates(state: ServiceSnapshot): string[] {
  return state.upstream?.kind === 'latency' ? upstreamSlowTemplates(state.upstream.service) : SLOW_REQUEST_TEMPLATES;
}

function errorTemplates(state: ServiceSnapshot, everyday: string[]): string[] {
  if (state.upstream?.kind === 'errors') return upstreamErrorTemplates(state.upstream.service);
  if (state.fault) return state.fault.errorLogTemplates.length > 0 ? state.fault.errorLogTemplates : everyday;
  return everyday;
}

const TERMS = ['running shoes', 'rain jacket', 'espresso', 'usb-c cable', 'backpack', 'desk lamp', 'yoga mat', 'headphones'];

function fillTemplate(template: string, state: ServiceSnapshot, draw: (hole: string) => number): string {
  const between = (hole: string, minimum: number, maximum: number): number => minimum + Math.floor(draw(hole) * (maximum - minimum + 1));
  return template.replace(/\{(\w+)\}/g, (_, hole: string) => {
    switch (hole) {
      case 'id':
        return between('id', 0x10000000, 0xffffffff).toString(16);
      case 'order':
        return `ORD-${between('order', 100000, 999999)}`;
      case 'user':
        return String(between('user', 1000, 99999));
      case 'sku':
        return `SKU-${between('sku', 1000, 9999)}`;
      case 'ms':
        // Durations scatter around the service's current latency, so slow minutes read slow.
        return String(Math.max(1, Math.round(state.latencyMedianSeconds * 1000 * Math.exp(0.45 * (draw('ms') * 2 - 1) * 1.6))));
      case 'n':
        return String(between('n', 1, 40));
      case 'max':
        return '100';
      case 'amount':
        return (between('amount', 500, 25000) / 100).toFixed(2);
      case 'percent':
        return String(between('percent', 1, 99));
      case 'last4':
        return String(between('last4', 1000, 9999));
      case 'line':
        return String(between('line', 40, 400));
      case 'ip':
        return `10.${between('ip-b', 0, 255)}.${between('ip-c', 0, 255)}.${between('ip-d', 1, 254)}`;
      case 'port':
        return String(between('port', 32768, 60999));
      case 'term':
        return TERMS[integerBetween(0, TERMS.length - 1, draw('term'))]!;
      default:
        return hole;
    }
  });
}
