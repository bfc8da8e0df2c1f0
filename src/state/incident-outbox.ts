import type { Redis } from 'ioredis';
import type { IncidentChange, IncidentChangeKind } from '../alerts/correlate.js';
import { randomUUID } from 'node:crypto';

/** Changes that deserve a line in the incident's thread; the root message shows every change anyway. */
export const THREAD_NOTE_KINDS: ReadonlySet<IncidentChangeKind> = new Set(['joined', 'escalated', 'flapping', 'resolved']);

/** An escalation rule that fired for an incident: told in its thread, with the people the rule calls. */
export interface EscalationNote {
  kind: 'escalation-rule';
  incidentId: string;
  rule: string;
}

/** What an incident's thread is still to be told. */
export type ThreadNote = IncidentChange | EscalationNote;

/** An incident whose Slack messages are behind, and what to hand back when done with it. */
export interface DueIncident {
  incidentId: string;
  /** Its version when read: `complete` and `retryAt` act only if it is unchanged. */
  version: string;
}

/**
 * A mark makes an incident due now unless it is already waiting (due earlier, or in a backoff
 * Slack asked for), and bumps its version, so a sync that read an older version knows it missed
 * a change and leaves the incident due.
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
 * The durable queue between incident changes and Slack. Whoever changes an incident (a worker,
 * a webhook, a button) marks it due here, with the thread notes the change deserves; the process
 * talking to Slack brings each due incident's messages up to date and only then takes it off.
 * So a bot that is down, a Slack outage or a 429 delays messages but loses none: the marks and
 * notes wait in Redis. Marks coalesce, so a storm of changes to one incident costs one edit.
 *
 * Layout under the prefix: `slack:outbox` is a sorted set of incident ids by due time (wall-clock
 * ms); `slack:outbox:versions` counts each incident's marks; `slack:outbox:<id>:notes` lists the notes still to be told in the thread, oldest first;
 * `slack:outbox:<id>:lease` is held while one process syncs the incident.
 */
export class IncidentOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get dueKey(): string {
    return `${this.prefix}slack:outbox`;
  }

  private get versionsKey(): string {
    return `${this.prefix}slack:outbox:versions`;
  }

  private notesKey(incidentId: string): string {
    return `${this.prefix}slack:outbox:${incidentId}:notes`;
  }

  /** Marks the changed incidents due now and queues the thread notes their changes deserve. */
  async enqueue(changes: readonly IncidentChange[], now: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const change of changes) {
      if (change.incidentId === undefined || change.kind === 'duplicate' || change.kind === 'ignored') continue;
      if (THREAD_NOTE_KINDS.has(change.kind)) pipeline.rpush(this.notesKey(change.incidentId), JSON.stringify(change));
      pipeline.eval(MARK, 2, this.dueKey, this.versionsKey, change.incidentId, now);
    }
    await exec(pipeline);
  }

  /** Queues a thread note that no correlation change carries, and marks the incident due. */
  async addNote(note: EscalationNote, now: number): Promise<void> {
    await exec(this.redis.pipeline().rpush(this.notesKey(note.incidentId), JSON.stringify(note)).eval(MARK, 2, this.dueKey, this.versionsKey, note.incidentId, now));
  }

  /** Marks an incident due without a note: its message needs redrawing (an acknowledgement, an escalation). */
  async touch(incidentId: string, now: number): Promise<void> {
    await this.redis.eval(MARK, 2, this.dueKey, this.versionsKey, incidentId, now);
  }

  /** Incidents due by `now`, earliest first. */
  async due(now: number, limit: number): Promise<DueIncident[]> {
    const flat = (await this.redis.eval(DUE, 2, this.dueKey, this.versionsKey, now, limit)) as string[];
    const due: DueIncident[] = [];
    for (let index = 0; index + 1 < flat.length; index += 2) due.push({ incidentId: flat[index]!, version: flat[index + 1]! });
    return due;
  }

  /** How many incidents wait, due or in a backoff. */
  async size(): Promise<number> {
    return this.redis.zcard(this.dueKey);
  }

  /** Takes the incident off, unless it was marked again since it was read. */
  async complete(due: DueIncident): Promise<void> {
    await this.redis.eval(COMPLETE, 2, this.dueKey, this.versionsKey, due.incidentId, due.version);
  }

  /** Puts the incident off until `at` after a failure, unless it was marked again since it was read. */
  async retryAt(due: DueIncident, at: number): Promise<void> {
    await this.redis.eval(RETRY_AT, 2, this.dueKey, this.versionsKey, due.incidentId, due.version, at);
  }

  /** The thread notes still to post, oldest first. */
  async notes(incidentId: string): Promise<ThreadNote[]> {
    return (await this.redis.lrange(this.notesKey(incidentId), 0, -1)).map((text) => JSON.parse(text) as ThreadNote);
  }

  /**
   * Runs `work` on one incident only if no other process is syncing it: its messages are then
   * edited and its thread told in order. The lease is short and renewed while the work runs, so
   * a slow Slack call keeps it but a killed process frees its incidents within one lease.
   */
  async exclusively(incidentId: string, leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    const key = `${this.prefix}slack:outbox:${incidentId}:lease`;
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

  /** Forgets the oldest `count` notes: posted, or told by a root message drawn after them. */
  async dropNotes(incidentId: string, count: number): Promise<void> {
    if (count > 0) await this.redis.ltrim(this.notesKey(incidentId), count, -1);
  }
}

async function exec(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  const failure = (await pipeline.exec())?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}
