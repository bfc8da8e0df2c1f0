import type { Anomaly } from '../detection/anomaly.js';
import type { Logger } from '../logger.js';
import { redactSecrets } from '../redact-secrets.js';
import { errorsWithMetricAnomalies, newTemplates, templateBursts, type LogAnomalyOptions, type LogFinding } from '../logs/log-anomalies.js';
import type { TemplateCounts, TemplateDetails } from '../logs/template-counts.js';
import type { LogCursor, LogReader } from '../sources/log-reader.js';
import { levelRank, type LogEntry } from '../logs/log-entry.js';
import type { Stores } from '../state/stores.js';

/** What mining needs of a template miner; TemplateMiner from src/logs/template-miner.ts fits. */
export interface LogMiner {
  add(message: string): { templateId: string; template: string };
  /** Plain JSON the miner can be restored from. */
  toJSON(): unknown;
}

export interface LogMiningOptions {
  /** Bucket length for counts, seconds (default 60). */
  bucketSeconds?: number;
  /** History mined on a service's first pass, so it starts with a baseline, minutes (default 60). */
  warmUpMinutes?: number;
  /** Buckets before the judged one that form its baseline (default 60). */
  baselineBuckets?: number;
  /**
   * How far behind now reading stops, seconds (default 30). Lines reach Elasticsearch late; one
   * older than the cursor when it lands would never be read, so the cursor stays behind the shippers.
   */
  ingestDelaySeconds?: number;
  /** Lines per page (default 1000). */
  pageSize?: number;
  /** Pages per pass at most (default 50); the next pass goes on from the cursor. */
  maximumPagesPerPass?: number;
  /** After an outage longer than this, minutes, mining skips ahead instead of catching up (default 1440). */
  maximumCatchUpMinutes?: number;
  /** Findings about buckets older than this are not raised: news, not history (default 15). */
  emitWindowMinutes?: number;
  /** How long one pass may hold a service, ms (default 60 000). */
  leaseMilliseconds?: number;
  /** Thresholds of the anomaly rules (see log-anomalies.ts); the bucket length is set from bucketSeconds. */
  anomalies?: Omit<LogAnomalyOptions, 'bucketMilliseconds'>;
}

export interface LogMiningDependencies {
  reader: LogReader;
  /** Where mining keeps its cursors, miners and counts, and the once-only claims and leases. */
  stores: Pick<Stores, 'minedLogs' | 'claims'>;
  /** The sources' clock: the simulated world's in a demo, the wall clock in production. */
  now: () => number;
  logger: Logger;
  /** A fresh miner, e.g. `() => new TemplateMiner()`. */
  createMiner: () => LogMiner;
  /** A miner from its saved `toJSON()`, e.g. `(state) => TemplateMiner.fromJSON(state as MinerState)`. */
  restoreMiner: (state: unknown) => LogMiner;
  /** Receives each finding once. */
  sink: (finding: LogFinding) => Promise<void>;
  /** The service's metric anomalies overlapping [start, end), for error templates that came with them. */
  metricAnomalies?: (service: string, start: number, end: number) => Promise<Anomaly[]>;
  options?: LogMiningOptions;
}

export interface LogMiningRun {
  service: string;
  /** False when another worker held the service's lease. */
  ran: boolean;
  linesMined: number;
  pages: number;
  bucketsJudged: number;
  findingsEmitted: number;
}

export const LOG_MINING_DEFAULTS = {
  bucketSeconds: 60,
  warmUpMinutes: 60,
  baselineBuckets: 60,
  ingestDelaySeconds: 30,
  pageSize: 1000,
  maximumPagesPerPass: 50,
  maximumCatchUpMinutes: 1440,
  emitWindowMinutes: 15,
  leaseMilliseconds: 60_000,
};

/**
 * One log-mining pass over one service: read the lines since its cursor page by page, mine each
 * into templates, count lines per template per bucket, then judge the buckets completed since the
 * last pass. Each page's counts, the miner state and the cursor are saved in one transaction, so
 * a pass killed half-way is resumed by the next one without counting a line twice or missing one;
 * findings are claimed once in Redis, so judging a bucket again raises nothing twice.
 */
export async function mineServiceLogs(service: string, dependencies: LogMiningDependencies): Promise<LogMiningRun> {
  const leaseMilliseconds = dependencies.options?.leaseMilliseconds ?? LOG_MINING_DEFAULTS.leaseMilliseconds;
  const lease = await dependencies.stores.claims.exclusively('logs', service, leaseMilliseconds, () => mineWithLease(service, dependencies));
  return lease.ran ? lease.result : { service, ran: false, linesMined: 0, pages: 0, bucketsJudged: 0, findingsEmitted: 0 };
}

async function mineWithLease(service: string, dependencies: LogMiningDependencies): Promise<LogMiningRun> {
  const options = { ...LOG_MINING_DEFAULTS, ...dependencies.options };
  const bucket = options.bucketSeconds * 1000;
  const { minedLogs, claims } = dependencies.stores;
  const progress = await minedLogs.progress(service);
  const savedMiner = await minedLogs.savedMiner(service);
  const miner = savedMiner === undefined ? dependencies.createMiner() : dependencies.restoreMiner(savedMiner);
  const details = await minedLogs.templateDetails(service);

  const until = dependencies.now() - options.ingestDelaySeconds * 1000;
  const earliest = until - options.maximumCatchUpMinutes * 60_000;
  let cursor: LogCursor | undefined = progress.cursor;
  let startedAt = progress.startedAt;
  let judgedUntil = progress.judgedUntil;
  if (cursor === undefined || cursor.timestamp < earliest) {
    // First pass, or back after a long outage: start on a bucket boundary so that bucket is whole.
    startedAt = Math.floor(Math.max(until - options.warmUpMinutes * 60_000, earliest) / bucket) * bucket;
    cursor = undefined;
    judgedUntil = undefined;
  }
  const since = startedAt!;

  let linesMined = 0;
  let pages = 0;
  let exhausted = true;
  for await (const page of dependencies.reader.pages(service, cursor, { since, until, pageSize: options.pageSize })) {
    const changed = new Map<string, TemplateDetails>();
    const pageCounts = minePage(page.entries, miner, details, changed, bucket);
    await minedLogs.savePage(service, { counts: pageCounts, minerState: miner.toJSON(), changedTemplates: changed, cursor: page.cursor, startedAt: since });
    cursor = page.cursor;
    linesMined += page.entries.length;
    pages += 1;
    if (pages >= options.maximumPagesPerPass) {
      exhausted = false;
      break;
    }
  }

  // Everything up to `until` is read when the reader ran dry; otherwise only the buckets before the cursor's are whole.
  const completeEnd = exhausted ? Math.floor((until + 1) / bucket) * bucket : Math.floor((cursor?.timestamp ?? since) / bucket) * bucket;
  const firstToJudge = judgedUntil ?? since;
  let bucketsJudged = 0;
  let findingsEmitted = 0;
  if (completeEnd > firstToJudge) {
    const loaded = await minedLogs.bucketCounts(service, Math.max(since, firstToJudge - options.baselineBuckets * bucket), completeEnd, bucket);
    const findings = await judge(service, loaded, firstToJudge, details, options, dependencies);
    bucketsJudged = loaded.filter((counted) => counted.bucketStart >= firstToJudge).length;
    const emitFrom = completeEnd - options.emitWindowMinutes * 60_000;
    for (const finding of findings) {
      // An anomaly's window may begin long before; the anomaly being current is what matters then.
      if (finding.kind !== 'error-with-anomaly' && finding.bucketStart < emitFrom) continue;
      if (!(await claims.firstEmission(finding.id))) continue;
      await dependencies.sink(finding);
      findingsEmitted += 1;
    }
    await minedLogs.saveJudgedUntil(service, completeEnd);
  }
  dependencies.logger.debug({ service, linesMined, pages, bucketsJudged, findingsEmitted }, 'log mining pass');
  return { service, ran: true, linesMined, pages, bucketsJudged, findingsEmitted };
}

/** Mines the page's lines; returns lines per bucket per template and records changed details in `changed`. The job's work per line (bench:logs:throughput measures it). */
export function minePage(entries: readonly LogEntry[], miner: LogMiner, details: Map<string, TemplateDetails>, changed: Map<string, TemplateDetails>, bucket: number): Map<number, Map<string, number>> {
  const pageCounts = new Map<number, Map<string, number>>();
  for (const entry of entries) {
    // Redacted before mining: templates and example lines are kept for days and shown in Slack.
    const message = redactSecrets(entry.message);
    const match = miner.add(message);
    const bucketStart = Math.floor(entry.timestamp / bucket) * bucket;
    const inBucket = pageCounts.get(bucketStart) ?? new Map<string, number>();
    inBucket.set(match.templateId, (inBucket.get(match.templateId) ?? 0) + 1);
    pageCounts.set(bucketStart, inBucket);
    const known = details.get(match.templateId);
    const updated: TemplateDetails = {
      template: match.template,
      level: known && levelRank(known.level) > levelRank(entry.level) ? known.level : entry.level,
      example: message,
      firstSeen: known ? Math.min(known.firstSeen, bucketStart) : bucketStart,
    };
    details.set(match.templateId, updated);
    changed.set(match.templateId, updated);
  }
  return pageCounts;
}

/** Findings for the buckets from `firstToJudge` on; `loaded` holds them and their baselines, oldest first. */
async function judge(
  service: string,
  loaded: readonly TemplateCounts[],
  firstToJudge: number,
  details: ReadonlyMap<string, TemplateDetails>,
  options: typeof LOG_MINING_DEFAULTS & LogMiningOptions,
  dependencies: LogMiningDependencies,
): Promise<LogFinding[]> {
  const bucket = options.bucketSeconds * 1000;
  const rules: LogAnomalyOptions = { ...options.anomalies, bucketMilliseconds: bucket };
  const findings: LogFinding[] = [];
  loaded.forEach((counted, index) => {
    if (counted.bucketStart < firstToJudge) return;
    const baseline = loaded.slice(Math.max(0, index - options.baselineBuckets), index);
    const seen = new Set([...details].filter(([, known]) => known.firstSeen < counted.bucketStart).map(([templateId]) => templateId));
    const input = { service, bucket: counted, baseline, seen, details };
    findings.push(...newTemplates(input, rules), ...templateBursts(input, rules));
  });
  const judgedEnd = (loaded.at(-1)?.bucketStart ?? firstToJudge) + bucket;
  const anomalies = (await dependencies.metricAnomalies?.(service, firstToJudge, judgedEnd)) ?? [];
  for (const anomaly of anomalies) {
    const windowStart = Math.floor(anomaly.evidence.start / bucket) * bucket;
    const baseline = loaded.filter((counted) => counted.bucketStart < windowStart).slice(-options.baselineBuckets);
    findings.push(...errorsWithMetricAnomalies({ service, buckets: loaded, baseline, details, anomalies: [anomaly] }, rules));
  }
  return findings;
}
