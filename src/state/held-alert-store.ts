import type { Redis } from 'ioredis';
import type { HeldAlert, ReleasedAlert } from '../alerts/suppression.js';

export interface HeldAlertStoreOptions {
  /** How long the record of a released alert is kept for its incident's message, s. Default 7 days. */
  releasedTtlSeconds?: number;
}

/** Replaces a held alert only if it is still the one read (its JSON unchanged), and reschedules it. */
const REPLACE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1`;

/** Takes a held alert off only if it is still the one read: a delivery that changed it meanwhile keeps it held. */
const REMOVE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

/**
 * Alerts held back by a silence or a maintenance window (see AlertSuppression), shared by every
 * process: the bot's webhook and the workers' detectors hold them, the bot releases them.
 *
 * Layout under the prefix: `held:alerts` is a hash of fingerprint to the held alert's JSON;
 * `held:due` a sorted set of the same fingerprints by the time their cause was last known to end
 * (ms), where the release looks first; `held:released:<fingerprint>` the JSON of the last release
 * of that alert, read by its incident's message, expiring by itself.
 *
 * A held alert is replaced and removed only if unchanged since read (compared as JSON, as written
 * by JSON.stringify), so a release never drops a delivery that arrived while it worked. Two
 * deliveries of one fingerprint at once may both write it: the later write wins, and both carry
 * the alert's current state.
 */
export class HeldAlertStore {
  private readonly releasedTtlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: HeldAlertStoreOptions = {},
  ) {
    this.releasedTtlSeconds = options.releasedTtlSeconds ?? 7 * 24 * 60 * 60;
  }

  private get alertsKey(): string {
    return `${this.prefix}held:alerts`;
  }

  private get dueKey(): string {
    return `${this.prefix}held:due`;
  }

  private releasedKey(fingerprint: string): string {
    return `${this.prefix}held:released:${fingerprint}`;
  }

  /** The held alerts among the fingerprints, by fingerprint, in one round trip. */
  async get(fingerprints: readonly string[]): Promise<Map<string, HeldAlert>> {
    const unique = [...new Set(fingerprints)];
    if (unique.length === 0) return new Map();
    const texts = await this.redis.hmget(this.alertsKey, ...unique);
    const held = new Map<string, HeldAlert>();
    unique.forEach((fingerprint, index) => {
      const text = texts[index];
      if (text !== null && text !== undefined) held.set(fingerprint, JSON.parse(text) as HeldAlert);
    });
    return held;
  }

  /** Writes held alerts, each due again when its cause ends. */
  async put(held: readonly HeldAlert[]): Promise<void> {
    if (held.length === 0) return;
    const transaction = this.redis.multi();
    for (const entry of held) {
      transaction.hset(this.alertsKey, entry.alert.fingerprint, JSON.stringify(entry));
      transaction.zadd(this.dueKey, entry.cause.until, entry.alert.fingerprint);
    }
    await transaction.exec();
  }

  /** Held alerts whose cause was due to end by `now`, oldest end first. */
  async due(now: number, limit = 500): Promise<HeldAlert[]> {
    const fingerprints = await this.redis.zrangebyscore(this.dueKey, '-inf', now, 'LIMIT', 0, limit);
    const held = await this.get(fingerprints);
    // A due entry without its alert (removals are atomic, so only a hand-edited key leaves one) is dropped.
    const orphans = fingerprints.filter((fingerprint) => !held.has(fingerprint));
    if (orphans.length > 0) await this.redis.zrem(this.dueKey, ...orphans);
    return fingerprints.flatMap((fingerprint) => held.get(fingerprint) ?? []);
  }

  /** Replaces `read` by `next` (still held, by a cause that ends later) unless a delivery changed it since; true if replaced. */
  async replace(read: HeldAlert, next: HeldAlert): Promise<boolean> {
    const replaced = await this.redis.eval(REPLACE, 2, this.alertsKey, this.dueKey, read.alert.fingerprint, JSON.stringify(read), JSON.stringify(next), next.cause.until);
    return replaced === 1;
  }

  /** Removes `read` unless a delivery changed it since; true if removed. */
  async remove(read: HeldAlert): Promise<boolean> {
    const removed = await this.redis.eval(REMOVE, 2, this.alertsKey, this.dueKey, read.alert.fingerprint, JSON.stringify(read));
    return removed === 1;
  }

  /** Records released alerts for their incidents' messages; written before they are raised, so the first message shows them. */
  async recordReleased(records: readonly ReleasedAlert[]): Promise<void> {
    if (records.length === 0) return;
    const transaction = this.redis.multi();
    for (const record of records) transaction.set(this.releasedKey(record.fingerprint), JSON.stringify(record), 'EX', this.releasedTtlSeconds);
    await transaction.exec();
  }

  /** The last release of each of the fingerprints that was released, in one round trip. */
  async released(fingerprints: readonly string[]): Promise<ReleasedAlert[]> {
    if (fingerprints.length === 0) return [];
    const texts = await this.redis.mget(fingerprints.map((fingerprint) => this.releasedKey(fingerprint)));
    return texts.flatMap((text) => (text === null ? [] : [JSON.parse(text) as ReleasedAlert]));
  }
}
