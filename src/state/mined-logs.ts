import type { Redis } from 'ioredis';
import type { TemplateCounts, TemplateDetails } from '../logs/template-counts.js';
import { summariseTemplates, type TemplateSummary } from '../logs/template-summary.js';
import type { LogCursor } from '../sources/log-reader.js';
import { LogCountStore, type LogCountStoreOptions } from './log-count-store.js';
import { LogCursorStore, type LogMiningProgress } from './log-cursor-store.js';
import { LogTemplateStore } from './log-template-store.js';

/** What one mined page changes: lines per bucket per template, the miner, the templates it touched, where the reader stands. */
export interface MinedPage {
  /** Bucket start → template id → lines. */
  counts: ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** The miner's `toJSON()` after the page. */
  minerState: unknown;
  changedTemplates: ReadonlyMap<string, TemplateDetails>;
  cursor: LogCursor;
  /** When mining of the service began (ms). */
  startedAt: number;
}

export interface TemplateSummaryOptions {
  /** The sources' clock, ms since the epoch. */
  now: number;
  /** The window, minutes back from the last whole bucket (default 15). */
  minutes?: number;
  /** The usual rates come from this many minutes before the window (default 60). */
  baselineMinutes?: number;
  /** Bucket length the counts were mined with, seconds (default 60). */
  bucketSeconds?: number;
  /** Rows kept (default 10). */
  limit?: number;
}

const HOUR = 3_600_000;
/** A summary reaching further back than this starts on the hour: older part hours are no longer kept by the minute. */
const MINUTE_RESOLUTION_REACH = 2 * HOUR;

/**
 * What log mining keeps per service, as one store: the reader's cursor, the miner and what is known
 * of each template, and lines per template per bucket (see LogCursorStore, LogTemplateStore and
 * LogCountStore for the keys). A page's counts, miner and cursor are written in one transaction,
 * so after a crash the three always agree: the page is either wholly counted and passed, or not
 * at all and read again.
 */
export class MinedLogs {
  private readonly cursors: LogCursorStore;
  private readonly templates: LogTemplateStore;
  private readonly counts: LogCountStore;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    counts: LogCountStoreOptions = {},
  ) {
    this.cursors = new LogCursorStore(redis, prefix);
    this.templates = new LogTemplateStore(redis, prefix);
    this.counts = new LogCountStore(redis, prefix, counts);
  }

  progress(service: string): Promise<LogMiningProgress> {
    return this.cursors.load(service);
  }

  /** The miner's saved state (its `toJSON()`), or undefined before the first page. */
  savedMiner(service: string): Promise<unknown> {
    return this.templates.loadMiner(service);
  }

  templateDetails(service: string): Promise<Map<string, TemplateDetails>> {
    return this.templates.details(service);
  }

  /** Every bucket from `start` up to but excluding `end`, oldest first; a bucket without lines has empty counts. */
  bucketCounts(service: string, start: number, end: number, bucketMilliseconds: number): Promise<TemplateCounts[]> {
    return this.counts.range(service, start, end, bucketMilliseconds);
  }

  /** Saves a mined page: its counts, the miner, the templates it changed and the cursor after it, together. */
  async savePage(service: string, page: MinedPage): Promise<void> {
    const transaction = this.redis.multi();
    this.counts.add(transaction, service, page.counts);
    this.templates.save(transaction, service, page.minerState, page.changedTemplates);
    this.cursors.save(transaction, service, { cursor: page.cursor, startedAt: page.startedAt });
    failOnError(await transaction.exec());
  }

  /** Records that the buckets before `judgedUntil` have been judged for anomalies. */
  async saveJudgedUntil(service: string, judgedUntil: number): Promise<void> {
    failOnError(await this.cursors.save(this.redis.multi(), service, { judgedUntil }).exec());
  }

  /**
   * Top templates of a service over the last minutes, from the stored counts: the data behind an
   * agent's "what is it logging" tool, `/aiops logs` and an incident's log attachment.
   */
  async templateSummary(service: string, options: TemplateSummaryOptions): Promise<TemplateSummary> {
    const bucket = (options.bucketSeconds ?? 60) * 1000;
    // The current bucket is still filling: comparing a part with whole ones would read as a drop.
    const end = Math.floor(options.now / bucket) * bucket;
    let start = end - (options.minutes ?? 15) * 60_000;
    let baselineStart = start - (options.baselineMinutes ?? 60) * 60_000;
    // Hours back, the window and its baseline are read from hourly totals: they start on the hour (a longer window, never a part hour missing).
    if (end - baselineStart > MINUTE_RESOLUTION_REACH) {
      start = Math.floor(start / HOUR) * HOUR;
      baselineStart = Math.floor(baselineStart / HOUR) * HOUR;
    }
    const [baseline, window, details] = await Promise.all([
      this.counts.span(service, baselineStart, start, bucket),
      this.counts.span(service, start, end, bucket),
      this.templates.details(service),
    ]);
    return summariseTemplates({ service, start, end, baselineStart, window, baseline, details, limit: options.limit });
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. Bucket counts expire on their own. */
  async forget(service: string): Promise<void> {
    await Promise.all([this.cursors.forget(service), this.templates.forget(service)]);
  }
}

function failOnError(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('redis: the transaction was discarded');
  const failed = results.find(([error]) => error !== null);
  if (failed) throw failed[0];
}
