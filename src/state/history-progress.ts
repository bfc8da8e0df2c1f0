import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What the history copies from Redis: incidents, remediation requests and forecasts, by id. */
export type HistoryKind = 'incidents' | 'actions' | 'forecasts';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * How far the copy to PostgreSQL has come, so each round writes only what changed since and a
 * failed write is simply tried again next round. Layout under the prefix: `history:recorded:<kind>`
 * hashes an id to the version of it last written (an incident's revision and acknowledgement, a
 * request's content hash, a forecast's time); `history:audit-cursor` is the last audit stream id
 * copied; `history:lease` is held by the one replica copying.
 */
export class HistoryProgress {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private recordedKey(kind: HistoryKind): string {
    return `${this.prefix}history:recorded:${kind}`;
  }

  private get cursorKey(): string {
    return `${this.prefix}history:audit-cursor`;
  }

  async recorded(kind: HistoryKind): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.recordedKey(kind))));
  }

  async markRecorded(kind: HistoryKind, versions: ReadonlyMap<string, string>): Promise<void> {
    if (versions.size > 0) await this.redis.hset(this.recordedKey(kind), Object.fromEntries(versions));
  }

  /** Forgets ids Redis no longer keeps, so the hash stays as small as what it follows. */
  async forget(kind: HistoryKind, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.hdel(this.recordedKey(kind), ...ids);
  }

  async auditCursor(): Promise<string> {
    return (await this.redis.get(this.cursorKey)) ?? '0';
  }

  async setAuditCursor(id: string): Promise<void> {
    await this.redis.set(this.cursorKey, id);
  }

  /** Runs `work` only if no other replica is copying now; false when one is. The lease outlives a round, not a crash. */
  async exclusively(leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    const key = `${this.prefix}history:lease`;
    const token = `${process.pid}:${randomUUID()}`;
    if ((await this.redis.set(key, token, 'PX', leaseMilliseconds, 'NX')) !== 'OK') return false;
    try {
      await work();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token);
    }
    return true;
  }
}
