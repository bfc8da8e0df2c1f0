import type { ChainableCommander, Redis } from 'ioredis';
import type { IncidentChange, IncidentChangeKind } from '../alerts/correlate.js';
import { DueSet, type DueEntry } from './due-set.js';
import { PageOutbox } from './page-outbox.js';

/** Changes that deserve a line in the incident's thread; the root message shows every change anyway. */
export const THREAD_NOTE_KINDS: ReadonlySet<IncidentChangeKind> = new Set(['joined', 'escalated', 'flapping', 'resolved', 'merged', 'absorbed']);

/** An escalation rule that fired for an incident: told in its thread, with the people the rule calls. */
export interface EscalationNote {
  kind: 'escalation-rule';
  incidentId: string;
  rule: string;
}

/** What an incident's thread is still to be told. */
export type ThreadNote = IncidentChange | EscalationNote;

/** Thread notes being posted as one reply: the oldest `count`, whose key the reply carries, since `at` (wall-clock ms). */
export interface NotePostingAttempt {
  key: string;
  count: number;
  at: number;
}

/** A posting attempt outlives any retry of it; after this it is forgotten. */
const NOTE_POSTING_SECONDS = 7 * 86_400;

/** Whether a change is shown in Slack: it marks its incident due (and, in the store, counts up its revision). */
export function isShownInSlack(change: IncidentChange): change is IncidentChange & { incidentId: string } {
  return change.incidentId !== undefined && change.kind !== 'duplicate' && change.kind !== 'ignored';
}

/** An incident and its revision (see IncidentStore): what the sweep compares with the revision Slack shows. */
export interface IncidentRevision {
  incidentId: string;
  revision: number;
}

/** An incident whose Slack messages are behind, and what to hand back when done with it. */
export type DueIncident = DueEntry;

/** What the outbox marks besides Slack's due set: the pager's, when the catalogue pages anyone. */
export interface IncidentOutboxOptions {
  paging?: boolean;
}

/** Records the revision an incident's messages now show, never lowering it. */
const RECORD_SHOWN = `
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end`;

/**
 * Marks due at ARGV[1] each incident (id, revision pairs in ARGV from the second) that waits nowhere and whose
 * revision is ahead of the one Slack shows; returns their ids. Nothing can be both: a change
 * and its mark commit together, and a sync takes an incident off and records what it showed at once.
 */
const MARK_BEHIND = `
local behind = {}
for index = 2, #ARGV, 2 do
  local id = ARGV[index]
  if not redis.call('ZSCORE', KEYS[1], id) and tonumber(redis.call('HGET', KEYS[3], id) or '0') < tonumber(ARGV[index + 1]) then
    redis.call('ZADD', KEYS[1], ARGV[1], id)
    redis.call('HINCRBY', KEYS[2], id, 1)
    table.insert(behind, id)
  end
end
return behind`;


/**
 * The durable queue between incident changes and Slack. Whoever changes an incident (a worker,
 * a webhook, a button) marks it due here, with the thread notes the change deserves; the process
 * talking to Slack brings each due incident's messages up to date and only then takes it off.
 * So a bot that is down, a Slack outage or a 429 delays messages but loses none: the marks and
 * notes wait in Redis. Marks coalesce, so a storm of changes to one incident costs one edit.
 *
 * Layout under the prefix: `slack:outbox` is a sorted set of incident ids by due time (wall-clock
 * ms); `slack:outbox:versions` counts each incident's marks; `slack:outbox:synced` holds the incident
 * revision (see IncidentStore) its messages last showed; `slack:outbox:<id>:notes` lists the notes still to be told in the thread, oldest first;
 * `slack:outbox:<id>:note-posting` is the reply being posted from them (see markNotePosting);
 * `slack:outbox:<id>:lease` is held while one process syncs the incident.
 *
 * The incident store marks its changes inside the transaction that writes them (`queueMarks`), so
 * a change is never stored without its mark; the incidents' message sweep re-marks any incident whose
 * messages show an older revision than its own (`markBehind`), whatever left it so.
 */
export class IncidentOutbox {
  private readonly slack: DueSet;
  /** The pager's outbox, marked beside Slack's: the same changes (and acknowledgements, escalations) concern both. */
  private readonly pages: PageOutbox | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: IncidentOutboxOptions = {},
  ) {
    this.slack = new DueSet(redis, `${prefix}slack:outbox`);
    this.pages = options.paging ? new PageOutbox(redis, prefix) : undefined;
  }

  private get dueKey(): string {
    return this.slack.key;
  }

  private get versionsKey(): string {
    return this.slack.versionsKey;
  }

  private get syncedKey(): string {
    return `${this.prefix}slack:outbox:synced`;
  }

  private notesKey(incidentId: string): string {
    return `${this.prefix}slack:outbox:${incidentId}:notes`;
  }

  private notePostingKey(incidentId: string): string {
    return `${this.prefix}slack:outbox:${incidentId}:note-posting`;
  }

  /** Marks the changed incidents due now and queues the thread notes their changes deserve. */
  async enqueue(changes: readonly IncidentChange[], now: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    this.queueMarks(pipeline, changes, now);
    await exec(pipeline);
  }

  /**
   * Adds what `enqueue` writes to a MULTI (or pipeline) the caller executes: the incident store
   * calls it inside the transaction writing the changes, so both commit or neither does.
   */
  queueMarks(commands: ChainableCommander, changes: readonly IncidentChange[], now: number): void {
    for (const change of changes) {
      if (!isShownInSlack(change)) continue;
      if (THREAD_NOTE_KINDS.has(change.kind)) commands.rpush(this.notesKey(change.incidentId), JSON.stringify(change));
      this.slack.queueMark(commands, change.incidentId, now);
      this.pages?.queueMark(commands, change.incidentId, now);
    }
  }

  /** Adds to the caller's MULTI forgetting incidents that are gone (pruned): their notes and the revision shown. */
  queueForget(commands: ChainableCommander, incidentIds: readonly string[]): void {
    if (incidentIds.length === 0) return;
    commands.hdel(this.syncedKey, ...incidentIds);
    commands.del(...incidentIds.flatMap((id) => [this.notesKey(id), this.notePostingKey(id)]));
    this.pages?.queueForget(commands, incidentIds);
  }

  /**
   * Marks due, now, every incident given that waits nowhere in the outbox although its messages
   * show an older revision than its own (a change stored without its mark by an older version,
   * a bug, a hand edit); returns their ids. The incidents' message sweep (sweepIncidentMessages) calls it.
   */
  async markBehind(incidents: readonly IncidentRevision[], now: number): Promise<string[]> {
    if (incidents.length === 0) return [];
    const pairs = incidents.flatMap((incident) => [incident.incidentId, incident.revision]);
    return (await this.redis.eval(MARK_BEHIND, 3, this.dueKey, this.versionsKey, this.syncedKey, now, ...pairs)) as string[];
  }

  /** Queues a thread note that no correlation change carries, and marks the incident due. */
  async addNote(note: EscalationNote, now: number): Promise<void> {
    const pipeline = this.redis.pipeline().rpush(this.notesKey(note.incidentId), JSON.stringify(note));
    this.slack.queueMark(pipeline, note.incidentId, now);
    this.pages?.queueMark(pipeline, note.incidentId, now);
    await exec(pipeline);
  }

  /** Marks an incident due without a note: its message needs redrawing (an acknowledgement, an escalation). */
  async touch(incidentId: string, now: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    this.slack.queueMark(pipeline, incidentId, now);
    this.pages?.queueMark(pipeline, incidentId, now);
    await exec(pipeline);
  }

  /** Incidents due by `now`, earliest first. */
  due(now: number, limit: number): Promise<DueIncident[]> {
    return this.slack.due(now, limit);
  }

  /** How many incidents wait, due or in a backoff. */
  size(): Promise<number> {
    return this.slack.size();
  }

  /**
   * Takes the incident off, unless it was marked again since it was read, and records that its
   * messages show `shownRevision` (an incident revision read before the sync drew it; 0: none).
   */
  async complete(due: DueIncident, shownRevision = 0): Promise<void> {
    const transaction = this.redis.multi().eval(RECORD_SHOWN, 1, this.syncedKey, due.incidentId, shownRevision);
    this.slack.queueComplete(transaction, due);
    await exec(transaction);
  }

  /** Puts the incident off until `at` after a failure, unless it was marked again since it was read. */
  retryAt(due: DueIncident, at: number): Promise<void> {
    return this.slack.retryAt(due, at);
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
  exclusively(incidentId: string, leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    return this.slack.exclusively(incidentId, leaseMilliseconds, work);
  }

  /**
   * Forgets the oldest `count` notes (posted, or told by a root message drawn after them) and the
   * posting attempt that told them, together.
   */
  async dropNotes(incidentId: string, count: number): Promise<void> {
    if (count > 0) await exec(this.redis.multi().ltrim(this.notesKey(incidentId), count, -1).del(this.notePostingKey(incidentId)));
  }

  /**
   * Writes down that the oldest `attempt.count` notes are about to be posted as one thread reply.
   * If Redis fails after Slack took the reply but before `dropNotes`, the next sync finds this and
   * looks for the reply in the thread rather than posting it again.
   */
  async markNotePosting(incidentId: string, attempt: NotePostingAttempt): Promise<void> {
    await this.redis.set(this.notePostingKey(incidentId), JSON.stringify(attempt), 'EX', NOTE_POSTING_SECONDS);
  }

  /** The thread reply an earlier sync was posting when it stopped, if any. */
  async notePosting(incidentId: string): Promise<NotePostingAttempt | undefined> {
    const body = await this.redis.get(this.notePostingKey(incidentId));
    return body === null ? undefined : (JSON.parse(body) as NotePostingAttempt);
  }
}

async function exec(pipeline: ChainableCommander): Promise<void> {
  const failure = (await pipeline.exec())?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}
