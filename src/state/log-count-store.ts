import type { ChainableCommander, Redis } from 'ioredis';
import type { TemplateCounts } from '../logs/template-counts.js';

const HOUR = 3_600_000;

export interface LogCountStoreOptions {
  /**
   * How long the mining buckets' counts are kept, simulated milliseconds (default 3 hours): the
   * hour of baseline each bucket is judged against, the usual 15-minute summary and its hour
   * before, and the lag of a pass that falls behind.
   */
  fineRetentionMilliseconds?: number;
  /** How long the hourly totals are kept, simulated milliseconds (default 2 days: a day's window, its baseline, and some). */
  hourlyRetentionMilliseconds?: number;
  /**
   * Simulated seconds per real second (default 1). Redis expires keys in real time; a simulated
   * world at 60× would otherwise keep 2 days of real time, 120 simulated days.
   */
  clockSpeed?: number;
}

/**
 * Lines per template per service per time bucket, at two resolutions: the mining buckets (a
 * minute) for the recent hours that detection judges and summaries read, and hourly totals for
 * summaries reaching back a day. A minute bucket costs a key of its own (about 280 bytes with a
 * handful of templates); two days of them were about 0.8 MiB a service, 8 GB for 10,000.
 */
export class LogCountStore {
  private readonly fineTtlSeconds: number;
  private readonly hourlyTtlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: LogCountStoreOptions = {},
  ) {
    const speed = options.clockSpeed ?? 1;
    if (!(speed > 0)) throw new Error(`clockSpeed: expected a positive number, got ${speed}`);
    this.fineTtlSeconds = Math.max(1, Math.ceil((options.fineRetentionMilliseconds ?? 3 * HOUR) / 1000 / speed));
    this.hourlyTtlSeconds = Math.max(1, Math.ceil((options.hourlyRetentionMilliseconds ?? 48 * HOUR) / 1000 / speed));
  }

  private key(service: string, bucketStart: number): string {
    return `${this.prefix}logs:counts:${service}:${bucketStart}`;
  }

  private hourlyKey(service: string, hourStart: number): string {
    return `${this.prefix}logs:hourly:${service}:${hourStart}`;
  }

  /** Queues adding `counts` (bucket start → template id → lines) on `transaction`, to its bucket and its hour. */
  add(transaction: ChainableCommander, service: string, counts: ReadonlyMap<number, ReadonlyMap<string, number>>): ChainableCommander {
    const hours = new Map<number, Map<string, number>>();
    for (const [bucketStart, templates] of counts) {
      const key = this.key(service, bucketStart);
      const hourStart = Math.floor(bucketStart / HOUR) * HOUR;
      const hour = hours.get(hourStart) ?? new Map<string, number>();
      hours.set(hourStart, hour);
      for (const [templateId, count] of templates) {
        transaction.hincrby(key, templateId, count);
        hour.set(templateId, (hour.get(templateId) ?? 0) + count);
      }
      transaction.expire(key, this.fineTtlSeconds);
    }
    for (const [hourStart, templates] of hours) {
      const key = this.hourlyKey(service, hourStart);
      for (const [templateId, count] of templates) transaction.hincrby(key, templateId, count);
      transaction.expire(key, this.hourlyTtlSeconds);
    }
    return transaction;
  }

  /** Every bucket from `start` up to but excluding `end`, oldest first; a bucket without lines has empty counts. */
  range(service: string, start: number, end: number, bucketMilliseconds: number): Promise<TemplateCounts[]> {
    const starts: number[] = [];
    for (let bucketStart = Math.ceil(start / bucketMilliseconds) * bucketMilliseconds; bucketStart < end; bucketStart += bucketMilliseconds) starts.push(bucketStart);
    return this.read(starts.map((bucketStart) => [bucketStart, this.key(service, bucketStart)]));
  }

  /**
   * The lines from `start` up to `end` as few reads as it takes: whole hours from the hourly
   * totals, the part hours at either end from the `bucketMilliseconds` buckets (which must divide
   * an hour). Older than the fine retention, a part hour reads as no lines: start a long span on
   * the hour.
   */
  async span(service: string, start: number, end: number, bucketMilliseconds: number): Promise<TemplateCounts[]> {
    const firstHour = Math.ceil(start / HOUR) * HOUR;
    const lastHour = Math.floor(end / HOUR) * HOUR;
    if (firstHour >= lastHour) return this.range(service, start, end, bucketMilliseconds);
    const hours: Array<[number, string]> = [];
    for (let hourStart = firstHour; hourStart < lastHour; hourStart += HOUR) hours.push([hourStart, this.hourlyKey(service, hourStart)]);
    const [before, whole, after] = await Promise.all([this.range(service, start, firstHour, bucketMilliseconds), this.read(hours), this.range(service, lastHour, end, bucketMilliseconds)]);
    return [...before, ...whole, ...after];
  }

  private async read(keys: ReadonlyArray<[number, string]>): Promise<TemplateCounts[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const [, key] of keys) pipeline.hgetall(key);
    const results = (await pipeline.exec()) ?? [];
    return keys.map(([bucketStart], index) => {
      const [error, fields] = results[index] ?? [new Error('no answer'), undefined];
      if (error) throw error;
      const counts: Record<string, number> = {};
      for (const [templateId, text] of Object.entries((fields ?? {}) as Record<string, string>)) counts[templateId] = Number(text);
      return { bucketStart, counts };
    });
  }
}
