import type { Redis } from 'ioredis';
import type { Anomaly } from '../detection/anomaly.js';

/** A raised anomaly being followed; `recoveringSince` is when its signals came back, if they have. */
export type FollowedAnomaly = Anomaly & { recoveringSince?: number };

/**
 * Anomalies that are still going on, by service. A detector fires once at an onset and then
 * holds off; this is what says, pass after pass, that the signal has not recovered yet.
 */
export class ActiveAnomalies {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}active-anomalies:${service}`;
  }

  async add(anomaly: FollowedAnomaly, fingerprint: string): Promise<void> {
    await this.redis.hset(this.key(anomaly.service), fingerprint, JSON.stringify(anomaly));
  }

  async all(service: string): Promise<Array<{ fingerprint: string; anomaly: FollowedAnomaly }>> {
    const fields = await this.redis.hgetall(this.key(service));
    return Object.entries(fields).map(([fingerprint, text]) => ({ fingerprint, anomaly: JSON.parse(text) as FollowedAnomaly }));
  }

  async remove(service: string, fingerprint: string): Promise<void> {
    await this.redis.hdel(this.key(service), fingerprint);
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. */
  async forget(service: string): Promise<void> {
    await this.redis.del(this.key(service));
  }
}
