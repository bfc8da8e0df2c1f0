import { formatUtcClock } from '../agent/tools/utc-time.js';
import { topErrorTemplates, type ErrorTemplate } from '../logs/top-error-templates.js';
import type { LogSource } from '../sources/logs.js';
import { redactedExcerpt } from '../redact-secrets.js';

/** What one service logged since the trouble started that it did not before. */
export interface ServiceLogEvidence {
  service: string;
  /** Most lines first. */
  templates: ErrorTemplate[];
  /** When the window began, ms since the epoch. */
  since: number;
  /** The window held more error lines than were read: counts are estimates, each template's share of the lines read times all error lines. */
  estimated: boolean;
}

export interface LogWindow {
  /** The normal period's start: the baseline the window is compared with. */
  normalStart: number;
  /** When the trouble started. */
  anomalyStart: number;
  now: number;
}

/** Error lines read per side (window, baseline): enough to count the few templates that matter. */
const LINES_READ = 2000;
const TEMPLATE_CHARACTERS = 160;

/**
 * The error templates a service logs since the trouble started, read from the log source itself
 * (not from log mining's findings, which a bot started during the incident or the command line
 * does not have), compared with the normal period before.
 */
export async function readLogEvidence(logs: LogSource, service: string, window: LogWindow): Promise<ServiceLogEvidence> {
  const search = (start: number, end: number) => logs.search({ service, start: new Date(start), end: new Date(end), minimumLevel: 'error', limit: LINES_READ });
  const [during, before] = await Promise.all([search(window.anomalyStart, window.now), search(window.normalStart, window.anomalyStart - 1)]);
  const found = topErrorTemplates([...before, ...during], {
    windowStart: window.anomalyStart,
    windowMilliseconds: window.now - window.anomalyStart,
    // A capped baseline read holds its newest lines only: its rate is then measured over the span it covers.
    baselineMilliseconds: before.length >= LINES_READ ? window.anomalyStart - Math.min(...before.map((entry) => entry.timestamp)) : window.anomalyStart - window.normalStart,
  });
  if (during.length < LINES_READ) return { service, templates: found, since: window.anomalyStart, estimated: false };
  // More lines than read: the newest LINES_READ are a sample, and the source counts them all.
  const counts = await logs.errorCounts({ service, start: new Date(window.anomalyStart), end: new Date(window.now), intervalSeconds: Math.max(1, Math.ceil((window.now - window.anomalyStart) / 1000)) });
  const total = counts.reduce((sum, count) => sum + count.count, 0);
  const scale = Math.max(1, total / during.length);
  return { service, templates: found.map((template) => ({ ...template, count: Math.round(template.count * scale) })), since: window.anomalyStart, estimated: true };
}

/** 'payment: 236 error lines "java.lang.NullPointerException: … ChargeService.charge(<*>)", new since 14:41 UTC' */
export function logEvidenceLines(evidence: ServiceLogEvidence): string[] {
  return evidence.templates.map((template) => {
    const count = `${evidence.estimated ? 'about ' : ''}${template.count} ${template.level} line${template.count === 1 ? '' : 's'}`;
    const change = template.isNew ? `new since ${formatUtcClock(evidence.since)} UTC` : `${Math.round(template.count / Math.max(template.usualCount, 1))} times the usual, since ${formatUtcClock(evidence.since)} UTC`;
    const text = redactedExcerpt(template.template, TEMPLATE_CHARACTERS);
    return `${evidence.service}: ${count} "${text}" (${change})`;
  });
}
