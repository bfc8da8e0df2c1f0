import type { Redis } from 'ioredis';
import type { Anomaly } from '../detection/anomaly.js';

/**
 * Recent anomalies, newest first, for everything that shows "what is wrong now": `/aiops status`,
 * `/aiops incidents`, App Home, and the answers to questions. A sorted set by detection time
 * holds the ids, a hash the anomalies; entries older than the retention are trimmed on write.
 */
export class AnomalyLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long anomalies are kept, ms (default 24 h). */
    private readonly retentionMilliseconds = 86_400_000,
  ) {}

  private get indexKey(): string {
    return `${this.prefix}anomalies:index`;
  }

  private get bodyKey(): string {
    return `${this.prefix}anomalies:body`;
  }

  async record(anomaly: Anomaly): Promise<void> {
    const cutoff = anomaly.detectedAt - this.retentionMilliseconds;
    const expired = await this.redis.zrangebyscore(this.indexKey, '-inf', `(${cutoff}`);
    const transaction = this.redis.multi().zadd(this.indexKey, anomaly.detectedAt, anomaly.id).hset(this.bodyKey, anomaly.id, JSON.stringify(anomaly));
    if (expired.length > 0) transaction.zrem(this.indexKey, ...expired).hdel(this.bodyKey, ...expired);
    await transaction.exec();
  }

  /** Anomalies detected at or after `since`, newest first. */
  async since(since: number): Promise<Anomaly[]> {
    const ids = await this.redis.zrevrangebyscore(this.indexKey, '+inf', since);
    if (ids.length === 0) return [];
    const bodies = await this.redis.hmget(this.bodyKey, ...ids);
    return bodies.filter((body): body is string => body !== null).map((body) => JSON.parse(body) as Anomaly);
  }

  /** The service's anomalies detected since `start` whose evidence overlaps [start, end): what a log window saw happen in the metrics. */
  async overlapping(service: string, start: number, end: number): Promise<Anomaly[]> {
    return (await this.since(start)).filter((anomaly) => anomaly.service === service && anomaly.evidence.start < end && anomaly.evidence.end >= start);
  }
}
