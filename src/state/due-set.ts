import type { ChainableCommander, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** An entry due, and what to hand back when done with it. */
export interface DueEntry {
  /** What is due (an incident id). */
  incidentId: string;
  /** Its version when read: `complete` and `retryAt` act only if it is unchanged. */
  version: string;
}

/**
 * A mark makes an entry due now unless it is already waiting (due earlier, or in a backoff), and
 * bumps its version, so a worker that read an older version knows it missed a change and leaves
 * the entry due.
 */
const MARK = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)`;

const DUE = `
local flat = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local due = {}
for _, id in ipairs(flat) do
  table.insert(due, id)
  table.insert(due, redis.call('HGET', KEYS[2], id) or '0')
end
return due`;

const COMPLETE = `
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0`;

const RETRY_AT = `
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') == ARGV[2] then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) return 1 end
return 0`;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A durable set of work due, coalescing: marking an entry twice before it is worked costs one
 * piece of work, and a mark that lands while the work runs leaves the entry due afterwards.
 *
 * Layout: `<key>` is a sorted set of entries by due time (wall-clock ms); `<key>:versions` counts
 * each entry's marks; `<key>:<entry>:lease` is held while one process works the entry.
 */
export class DueSet {
  constructor(
    private readonly redis: Redis,
    /** The sorted set's key, prefix included. */
    readonly key: string,
  ) {}

  get versionsKey(): string {
    return `${this.key}:versions`;
  }

  /** Adds the mark to a MULTI (or pipeline) the caller executes, so it commits with the change it marks. */
  queueMark(commands: ChainableCommander, incidentId: string, now: number): void {
    commands.eval(MARK, 2, this.key, this.versionsKey, incidentId, now);
  }

  /** Entries due by `now`, earliest first. */
  async due(now: number, limit: number): Promise<DueEntry[]> {
    const flat = (await this.redis.eval(DUE, 2, this.key, this.versionsKey, now, limit)) as string[];
    const due: DueEntry[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) due.push({ incidentId: flat[index]!, version: flat[index + 1]! });
    return due;
  }

  /** How many entries wait, due or in a backoff. */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  /** Takes the entry off, unless it was marked again since it was read. */
  async complete(entry: DueEntry): Promise<void> {
    await this.redis.eval(COMPLETE, 2, this.key, this.versionsKey, entry.incidentId, entry.version);
  }

  /** What `complete` does, added to the caller's MULTI, so it commits with what the caller records beside it. */
  queueComplete(commands: ChainableCommander, entry: DueEntry): void {
    commands.eval(COMPLETE, 2, this.key, this.versionsKey, entry.incidentId, entry.version);
  }

  /** Puts the entry off until `at` (wall-clock ms), unless it was marked again since it was read. */
  async retryAt(entry: DueEntry, at: number): Promise<void> {
    await this.redis.eval(RETRY_AT, 2, this.key, this.versionsKey, entry.incidentId, entry.version, at);
  }

  /** Adds to the caller's MULTI forgetting entries that are gone. */
  queueForget(commands: ChainableCommander, incidentIds: readonly string[]): void {
    if (incidentIds.length === 0) return;
    commands.zrem(this.key, ...incidentIds);
    commands.hdel(this.versionsKey, ...incidentIds);
  }

  /**
   * Runs `work` on one entry only if no other process is working it. The lease is short and
   * renewed while the work runs, so slow work keeps it but a killed process frees its entries
   * within one lease. False when another process holds it.
   */
  async exclusively(incidentId: string, leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    const key = `${this.key}:${incidentId}:lease`;
    const token = `${process.pid}:${randomUUID()}`;
    if ((await this.redis.set(key, token, 'PX', leaseMilliseconds, 'NX')) !== 'OK') return false;
    const renewal = setInterval(() => void this.redis.eval(RENEW, 1, key, token, leaseMilliseconds).catch(() => undefined), leaseMilliseconds / 3);
    try {
      await work();
    } finally {
      clearInterval(renewal);
      await this.redis.eval(RELEASE, 1, key, token);
    }
    return true;
  }
}
