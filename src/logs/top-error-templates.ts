import { levelRank, type LogEntry, type LogLevel } from './log-entry.js';
import { TemplateMiner } from './template-miner.js';
import { redactSecrets } from '../redact-secrets.js';

/** An error template that a service logs more since the trouble started than before it. */
export interface ErrorTemplate {
  template: string;
  /** The most severe level it was logged at. */
  level: LogLevel;
  /** Lines in the incident window. */
  count: number;
  /** Lines in the same length of time before the window, at the baseline's rate. */
  usualCount: number;
  /** Never logged in the baseline. */
  isNew: boolean;
  /** One line as written, the newest. */
  example: string;
}

export interface TopErrorTemplateOptions {
  /** Where the incident window starts, ms since the epoch: lines from here on are the window, earlier ones the baseline. */
  windowStart: number;
  /** Length of the window, ms, to scale the baseline's rate to it. */
  windowMilliseconds: number;
  /** Length of the baseline, ms. */
  baselineMilliseconds: number;
  /** Templates kept (default 3). */
  limit?: number;
  /** A template counts when the window holds at least this many of its lines (default 3)… */
  minimumCount?: number;
  /** …and at least this many times what the baseline's rate gives for the window (default 3). */
  minimumRise?: number;
}

/**
 * The error and fatal templates a service logs since the trouble started that it did not log
 * (or logged far less) before, most lines first: the log evidence of an answer. The window's and
 * the baseline's lines are mined together so one template gets one name on both sides; the
 * everyday errors a service always logs (a declined card) are left out. Pure: the caller read the lines.
 */
export function topErrorTemplates(entries: readonly LogEntry[], options: TopErrorTemplateOptions): ErrorTemplate[] {
  const settings = { limit: 3, minimumCount: 3, minimumRise: 3, ...options };
  const miner = new TemplateMiner();
  const counts = new Map<string, { window: number; baseline: number; level: LogLevel; example: string; newest: number }>();
  const oldestFirst = [...entries].filter((entry) => levelRank(entry.level) >= levelRank('error')).sort((left, right) => left.timestamp - right.timestamp);
  for (const entry of oldestFirst) {
    // Redacted before mining: the templates and examples are shown in answers and given to the model.
    const message = redactSecrets(entry.message);
    const { templateId } = miner.add(message);
    const counted = counts.get(templateId) ?? { window: 0, baseline: 0, level: entry.level, example: message, newest: entry.timestamp };
    if (entry.timestamp >= settings.windowStart) counted.window += 1;
    else counted.baseline += 1;
    if (levelRank(entry.level) > levelRank(counted.level)) counted.level = entry.level;
    counted.example = message;
    counted.newest = entry.timestamp;
    counts.set(templateId, counted);
  }
  // Templates generalise as lines arrive: the final wording of each is the miner's last.
  const wording = new Map(miner.templates().map((template) => [template.id, template.template]));
  const scale = settings.baselineMilliseconds > 0 ? settings.windowMilliseconds / settings.baselineMilliseconds : 0;
  return [...counts.entries()]
    .map(([templateId, counted]): ErrorTemplate => ({
      template: wording.get(templateId) ?? counted.example,
      level: counted.level,
      count: counted.window,
      usualCount: counted.baseline * scale,
      isNew: counted.baseline === 0,
      example: counted.example,
    }))
    .filter((template) => template.count >= settings.minimumCount && template.count >= settings.minimumRise * template.usualCount)
    .sort((left, right) => right.count - left.count || left.template.localeCompare(right.template))
    .slice(0, settings.limit);
}
