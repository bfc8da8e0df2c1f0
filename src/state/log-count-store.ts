import type { ChainableCommander, Redis } from 'ioredis';
import type { TemplateCounts } from '../logs/template-counts.js';

export interface LogCountStoreOptions {
  /** How long a bucket's counts are kept, seconds (default 2 days: a day's baseline and some). */
  ttlSeconds?: number;
}

/** Lines per template per service per time bucket: one hash per bucket, expiring on its own. */
export class LogCountStore {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: LogCountStoreOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 2 * 86_400;
  }

  private key(service: string, bucketStart: number): string {
    return `${this.prefix}logs:counts:${service}:${bucketStart}`;
  }

  /** Queues adding `counts` (bucket start → template id → lines) on `transaction`. */
  add(transaction: ChainableCommander, service: string, counts: ReadonlyMap<number, ReadonlyMap<string, number>>): ChainableCommander {
    for (const [bucketStart, templates] of counts) {
      const key = this.key(service, bucketStart);
      for (const [templateId, count] of templates) transaction.hincrby(key, templateId, count);
      transaction.expire(key, this.ttlSeconds);
    }
    return transaction;
  }

  /** Every bucket from `start` up to but excluding `end`, oldest first; a bucket without lines has empty counts. */
  async range(service: string, start: number, end: number, bucketMilliseconds: number): Promise<TemplateCounts[]> {
    const starts: number[] = [];
    for (let bucketStart = Math.ceil(start / bucketMilliseconds) * bucketMilliseconds; bucketStart < end; bucketStart += bucketMilliseconds) starts.push(bucketStart);
    if (starts.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const bucketStart of starts) pipeline.hgetall(this.key(service, bucketStart));
    const results = (await pipeline.exec()) ?? [];
    return starts.map((bucketStart, index) => {
      const [error, fields] = results[index] ?? [new Error('no answer'), undefined];
      if (error) throw error;
      const counts: Record<string, number> = {};
      for (const [templateId, text] of Object.entries((fields ?? {}) as Record<string, string>)) counts[templateId] = Number(text);
      return { bucketStart, counts };
    });
  }
}
