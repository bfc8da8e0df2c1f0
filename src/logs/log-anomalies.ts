import type { Anomaly } from '../detection/anomaly.js';
import { levelRank, type LogLevel } from './log-entry.js';
import { countBaseline, totalCounts, type CountBaseline, type TemplateCounts, type TemplateDetails } from './template-counts.js';

/**
 * Log anomalies of one service from mined template counts: templates never seen before, bursts
 * of known templates, and error templates that show up while the service's metrics are anomalous.
 * Pure: the caller loads counts and details and decides what to do with the findings.
 *
 * Bursts are judged against the template's own recent buckets with a robust baseline (median and
 * median absolute deviation) rather than a mean and standard deviation: the baseline window may
 * already contain an earlier burst or an outage, and one such bucket would inflate a standard
 * deviation enough to hide the next burst. Counts are Poisson-like, so the spread is floored at
 * √median (at least 1): a template that is usually 0 or constant has a MAD of 0 and would
 * otherwise "burst" on its second line. A burst must also be a multiple of the usual count, so a
 * busy template drifting by a few per cent with traffic never qualifies. A seasonal baseline (the
 * same minute on earlier days) needs days of per-template history; the caller may pass such
 * buckets as the baseline instead of the recent ones, the arithmetic is the same.
 */

export type LogFindingKind = 'new-template' | 'burst' | 'error-with-anomaly';

export interface LogFinding {
  /** Stable: the same finding computed twice (a retried job) has the same id. */
  id: string;
  kind: LogFindingKind;
  service: string;
  templateId: string;
  template: string;
  level: LogLevel;
  /** Start of the bucket (or, for error-with-anomaly, of the anomaly's window) the count is from. */
  bucketStart: number;
  /** Lines of the template in the bucket (or in the anomaly's window). */
  count: number;
  /** What the template usually writes per bucket, for comparison. */
  baseline: CountBaseline;
  /** One line of the template. */
  example: string;
  /** How unusual: robust z-score for bursts, count over expected for the others. */
  score: number;
  /** The metric anomaly an error template appeared with. */
  anomalyId?: string;
  /** One line for people. */
  summary: string;
}

export interface LogAnomalyOptions {
  /** Bucket length, ms (default 60 000). */
  bucketMilliseconds?: number;
  /** Fewer baseline buckets than this and nothing is flagged: everything is new on the first run (default 30). */
  minimumBaselineBuckets?: number;
  /** Robust z-score from which a count is a burst (default 6). */
  burstScore?: number;
  /** A burst is at least this many times the usual count (default 3). */
  burstRatio?: number;
  /** A burst has at least this many lines in its bucket (default 10). */
  minimumBurstCount?: number;
  /** New templates below this level are not flagged (default 'info': all are). */
  newTemplateMinimumLevel?: LogLevel;
  /** An error template counts as appearing with an anomaly when its window count is this many times the expected (default 3). */
  errorRatio?: number;
}

const DEFAULTS: Required<LogAnomalyOptions> = {
  bucketMilliseconds: 60_000,
  minimumBaselineBuckets: 30,
  burstScore: 6,
  burstRatio: 3,
  minimumBurstCount: 10,
  newTemplateMinimumLevel: 'info',
  errorRatio: 3,
};

export interface BucketInput {
  service: string;
  /** The completed bucket to judge. */
  bucket: TemplateCounts;
  /** Earlier comparable buckets, every one present (an empty bucket has empty counts). */
  baseline: readonly TemplateCounts[];
  /** Templates seen before `bucket`: in the baseline or earlier still. */
  seen: ReadonlySet<string>;
  details: ReadonlyMap<string, TemplateDetails>;
}

/** Templates in `bucket` that were never seen before it. */
export function newTemplates(input: BucketInput, options: LogAnomalyOptions = {}): LogFinding[] {
  const settings = { ...DEFAULTS, ...options };
  if (input.baseline.length < settings.minimumBaselineBuckets) return [];
  const findings: LogFinding[] = [];
  for (const [templateId, count] of Object.entries(input.bucket.counts)) {
    if (count <= 0 || input.seen.has(templateId)) continue;
    const details = detailsOf(input.details, templateId);
    if (levelRank(details.level) < levelRank(settings.newTemplateMinimumLevel)) continue;
    findings.push({
      id: findingId('new-template', input.service, templateId, input.bucket.bucketStart),
      kind: 'new-template',
      service: input.service,
      templateId,
      template: details.template,
      level: details.level,
      bucketStart: input.bucket.bucketStart,
      count,
      baseline: { median: 0, spread: 0, buckets: input.baseline.length },
      example: details.example,
      // Ranks new templates among themselves: severe and frequent first.
      score: count * (1 + levelRank(details.level)),
      summary: `${input.service}: new ${details.level} log template (${count} ${count === 1 ? 'line' : 'lines'} in a minute): ${details.template}`,
    });
  }
  return findings.sort(byScore);
}

/** Known templates whose count in `bucket` is far above their robust baseline. */
export function templateBursts(input: BucketInput, options: LogAnomalyOptions = {}): LogFinding[] {
  const settings = { ...DEFAULTS, ...options };
  if (input.baseline.length < settings.minimumBaselineBuckets) return [];
  const findings: LogFinding[] = [];
  for (const [templateId, count] of Object.entries(input.bucket.counts)) {
    // A template never seen before is reported as new, not as a burst.
    if (count < settings.minimumBurstCount || !input.seen.has(templateId)) continue;
    const baseline = countBaseline(templateId, input.baseline);
    const score = burstScoreOf(count, baseline);
    if (!isBurst(count, baseline, settings)) continue;
    // Only the onset is news: a burst that was already one a bucket ago was flagged (or new) then.
    const previous = input.baseline.at(-1)?.counts[templateId] ?? 0;
    if (isBurst(previous, countBaseline(templateId, input.baseline.slice(0, -1)), settings)) continue;
    const details = detailsOf(input.details, templateId);
    findings.push({
      id: findingId('burst', input.service, templateId, input.bucket.bucketStart),
      kind: 'burst',
      service: input.service,
      templateId,
      template: details.template,
      level: details.level,
      bucketStart: input.bucket.bucketStart,
      count,
      baseline,
      example: details.example,
      score,
      summary: `${input.service}: ${count} lines a minute of "${details.template}" (usually ${formatCount(baseline.median)})`,
    });
  }
  return findings.sort(byScore);
}

function isBurst(count: number, baseline: CountBaseline, settings: Required<LogAnomalyOptions>): boolean {
  if (count < settings.minimumBurstCount) return false;
  return burstScoreOf(count, baseline) >= settings.burstScore && count >= settings.burstRatio * Math.max(baseline.median, 1);
}

/** Robust z-score with a Poisson floor on the spread (see the file's comment). */
export function burstScoreOf(count: number, baseline: CountBaseline): number {
  const spread = Math.max(baseline.spread, Math.sqrt(Math.max(baseline.median, 1)));
  return (count - baseline.median) / spread;
}

export interface AnomalyWindowInput {
  service: string;
  /** Completed buckets covering the anomalies' windows. */
  buckets: readonly TemplateCounts[];
  /** Buckets before the anomalies, the usual rates. */
  baseline: readonly TemplateCounts[];
  details: ReadonlyMap<string, TemplateDetails>;
  /** The service's metric anomalies in the period. */
  anomalies: readonly Pick<Anomaly, 'id' | 'evidence'>[];
}

/**
 * Error and fatal templates that write clearly more during a metric anomaly's window than usual:
 * the log lines an engineer reads first to explain the anomaly.
 */
export function errorsWithMetricAnomalies(input: AnomalyWindowInput, options: LogAnomalyOptions = {}): LogFinding[] {
  const settings = { ...DEFAULTS, ...options };
  const findings: LogFinding[] = [];
  for (const anomaly of input.anomalies) {
    const windowStart = Math.floor(anomaly.evidence.start / settings.bucketMilliseconds) * settings.bucketMilliseconds;
    const inWindow = input.buckets.filter((bucket) => bucket.bucketStart >= windowStart && bucket.bucketStart <= anomaly.evidence.end);
    if (inWindow.length === 0) continue;
    for (const [templateId, count] of totalCounts(inWindow)) {
      const details = detailsOf(input.details, templateId);
      if (count <= 0 || levelRank(details.level) < levelRank('error')) continue;
      const baseline = countBaseline(templateId, input.baseline);
      // Mean rather than median for the expectation: a rare everyday error has median 0 but is not new.
      const usual = input.baseline.reduce((sum, bucket) => sum + (bucket.counts[templateId] ?? 0), 0) / Math.max(input.baseline.length, 1);
      const expected = usual * inWindow.length;
      if (count < settings.errorRatio * Math.max(expected, 1)) continue;
      findings.push({
        id: findingId('error-with-anomaly', input.service, templateId, windowStart, anomaly.id),
        kind: 'error-with-anomaly',
        service: input.service,
        templateId,
        template: details.template,
        level: details.level,
        bucketStart: windowStart,
        count,
        baseline,
        example: details.example,
        score: count / Math.max(expected, 1),
        anomalyId: anomaly.id,
        summary: `${input.service}: ${count} ${details.level} lines of "${details.template}" during the anomaly (about ${formatCount(expected)} expected)`,
      });
    }
  }
  return findings.sort(byScore);
}

function detailsOf(details: ReadonlyMap<string, TemplateDetails>, templateId: string): TemplateDetails {
  // Counts outlive a template the miner has since merged away; it still deserves a name.
  return details.get(templateId) ?? { template: templateId, level: 'info', example: '', firstSeen: 0 };
}

function findingId(kind: LogFindingKind, service: string, templateId: string, bucketStart: number, anomalyId?: string): string {
  return ['log', kind, service, templateId, String(bucketStart), ...(anomalyId === undefined ? [] : [anomalyId])].join(':');
}

function byScore(left: LogFinding, right: LogFinding): number {
  return right.score - left.score || left.templateId.localeCompare(right.templateId);
}

function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count) : count.toFixed(1);
}
