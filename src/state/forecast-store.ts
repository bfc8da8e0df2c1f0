import type { Redis } from 'ioredis';
import type { ForecastDigest } from '../forecast/forecast-digest.js';
import type { Signal } from '../signals.js';

/** A cached forecast outlives two missed hourly runs, then says nothing rather than something stale. */
const TTL_SECONDS = 3 * 3600;

/**
 * The latest forecast of each service and signal, written by the hourly forecast jobs and read
 * by App Home, the agent and the digest. Key: `<prefix>forecast:<service>:<signal>`, a JSON
 * string with a TTL, so a service removed from the catalogue leaves nothing behind.
 */
export class ForecastStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string, signal: Signal): string {
    return `${this.prefix}forecast:${service}:${signal}`;
  }

  async save(digest: ForecastDigest): Promise<void> {
    await this.redis.set(this.key(digest.service, digest.signal), JSON.stringify(digest), 'EX', TTL_SECONDS);
  }

  async load(service: string, signal: Signal): Promise<ForecastDigest | undefined> {
    const text = await this.redis.get(this.key(service, signal));
    return text === null ? undefined : (JSON.parse(text) as ForecastDigest);
  }

  /** Every cached forecast of these services and signals, in one round trip. */
  async many(services: readonly string[], signals: readonly Signal[]): Promise<ForecastDigest[]> {
    const keys = services.flatMap((service) => signals.map((signal) => this.key(service, signal)));
    if (keys.length === 0) return [];
    const texts = await this.redis.mget(...keys);
    return texts.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as ForecastDigest);
  }
}
