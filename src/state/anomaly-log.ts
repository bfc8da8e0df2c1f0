import type { Redis } from 'ioredis';
import type { Anomaly } from '../detection/anomaly.js';

/**
 * Recent anomalies, newest first, for everything that shows "what is wrong now": `/aiops status`,
 * `/aiops incidents`, App Home, and the answers to questions. A sorted set by detection time
 * holds the ids, a hash the anomalies; entries older than the retention are trimmed on write.
 * Each service's ids are also in a sorted set of its own (expiring with the retention), which log
 * mining reads every minute for every service: reading the whole estate's instead would cost
 * every pass as much as the estate has anomalies.
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

  private serviceKey(service: string): string {
    return `${this.prefix}anomalies:service:${service}`;
  }

  /** Since when (ms) every anomaly recorded is in its service's index: before it, `overlapping` reads the whole estate's. */
  private get indexedSinceKey(): string {
    return `${this.prefix}anomalies:service-index-since`;
  }

  async record(anomaly: Anomaly): Promise<void> {
    const cutoff = anomaly.detectedAt - this.retentionMilliseconds;
    const expired = await this.redis.zrangebyscore(this.indexKey, '-inf', `(${cutoff}`);
    const serviceKey = this.serviceKey(anomaly.service);
    // The first record with per-service indexes: everything is indexed when nothing was recorded
    // before it (a new deployment), else only from now on.
    const indexedSince = (await this.redis.exists(this.indexedSinceKey)) ? undefined : (await this.redis.zcard(this.indexKey)) === 0 ? 0 : anomaly.detectedAt;
    const transaction = this.redis.multi();
    if (indexedSince !== undefined) transaction.set(this.indexedSinceKey, String(indexedSince), 'NX');
    transaction
      .zadd(this.indexKey, anomaly.detectedAt, anomaly.id)
      .hset(this.bodyKey, anomaly.id, JSON.stringify(anomaly))
      .zadd(serviceKey, anomaly.detectedAt, anomaly.id)
      .zremrangebyscore(serviceKey, '-inf', `(${cutoff}`)
      .pexpire(serviceKey, this.retentionMilliseconds);
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
    const overlaps = (anomaly: Anomaly) => anomaly.service === service && anomaly.evidence.start < end && anomaly.evidence.end >= start;
    const indexedSince = await this.redis.get(this.indexedSinceKey);
    // Anomalies recorded before the per-service index existed (an upgrade) are only in the estate's.
    if (indexedSince === null || Number(indexedSince) > start) return (await this.since(start)).filter(overlaps);
    const ids = await this.redis.zrevrangebyscore(this.serviceKey(service), '+inf', start);
    if (ids.length === 0) return [];
    const bodies = await this.redis.hmget(this.bodyKey, ...ids);
    return bodies.filter((body): body is string => body !== null).map((body) => JSON.parse(body) as Anomaly).filter(overlaps);
  }
}
