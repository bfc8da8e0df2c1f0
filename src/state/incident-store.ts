import type { Redis } from 'ioredis';
import type { Alert } from '../alerts/alert.js';
import {
  applyAlert,
  resolveIncident,
  settleIncidents,
  type CorrelationState,
  type Incident,
  type IncidentChange,
  type SettleOptions,
  type Tombstone,
} from '../alerts/correlate.js';
import type { Catalogue } from '../catalogue.js';
import { AiopsError, ErrorCode } from '../errors.js';
import { IncidentAcknowledgements } from './incident-acknowledgements.js';
import { IncidentOutbox, isShownInSlack } from './incident-outbox.js';
import { pagingConfigured } from '../paging-settings.js';
import { announceIncidentsDue } from './state-changed.js';
import { TransactionConnection } from './transaction-connection.js';

export interface IncidentStoreOptions extends SettleOptions {
  /** Resolved incidents are pruned on write once resolved longer ago than this, ms. Default 24 hours. */
  retentionMilliseconds?: number;
  /** Optimistic transactions tried before giving up under contention. Default 50. */
  maxAttempts?: number;
  /** Upper bound of the random wait between two attempts, ms (it grows with the attempt up to this). Default 50. */
  maxBackoffMilliseconds?: number;
  /** Safety expiry of an incident's Slack message reference and posting attempt, s; pruning deletes them earlier. Default 30 days. */
  messageTtlSeconds?: number;
  /** How long a transaction waits for its connection to Redis before failing, ms. Default 2 000. */
  connectTimeoutMilliseconds?: number;
  /** Real time, for the outbox's due times (the incidents' own clock may be simulated). Default Date.now. */
  wallClock?: () => number;
}

/**
 * An incident as stored, with its revision: counted up, in the transaction that writes it, by
 * every change shown in Slack. The outbox records the revision an incident's messages show, so a
 * message older than its incident can be found (see IncidentOutbox.markBehind).
 */
export type StoredIncident = Incident & { revision: number };

/** Where an incident's root message lives in Slack, so later changes edit it or reply in its thread. */
export interface IncidentMessage {
  channel: string;
  ts: string;
}

/** A root message being posted: where, and since when (wall-clock ms), to look for it after a crash. */
export interface PostingAttempt {
  channel: string;
  at: number;
}

const DEFAULT_OPTIONS = {
  retentionMilliseconds: 24 * 60 * 60_000,
  maxAttempts: 50,
  maxBackoffMilliseconds: 50,
  messageTtlSeconds: 30 * 24 * 60 * 60,
  connectTimeoutMilliseconds: 2_000,
  wallClock: Date.now as () => number,
};

type Settings = typeof DEFAULT_OPTIONS & SettleOptions;

/** An ingest call waiting for the next transaction. */
interface WaitingIngest {
  alerts: readonly Alert[];
  now: number;
  resolve: (changes: IncidentChange[]) => void;
  reject: (error: unknown) => void;
}

/** What one transaction read: the state for correlation, and the raw JSON to write only what changed. */
interface Stored {
  state: CorrelationState;
  rawIncidents: Record<string, string>;
  rawTombstones: string | null;
  /** Each stored incident's revision. */
  revisions: Map<string, number>;
}

/** What a transaction computed: the state to write, the changes it made (marked in the outbox), and what the caller gets. */
interface Computed<T> {
  state: CorrelationState;
  changes: readonly IncidentChange[];
  result: T;
}

/**
 * The durable correlation state, shared by every bot replica.
 *
 * Layout under the prefix: `incidents` is a hash of incident id to the incident's JSON;
 * `incidents:tombstones` is the JSON array of tombstones; `incident:sequence` is the counter
 * behind ids (`INC-42`); `incident:<id>:message` and `incident:<id>:posting` hold the Slack message
 * reference and an unfinished attempt to post it. An incident's JSON carries its `revision`.
 *
 * Every change is an optimistic transaction: WATCH the hash and the tombstones, read both, apply
 * the pure correlation in JS, write back only the incidents that changed in MULTI/EXEC, and start
 * again after a short random wait if another process wrote in between. So two replicas fed the
 * same alerts (an Alertmanager HA pair) reach one incident, never two. The same MULTI marks the
 * changes shown in Slack in the incident outbox (its notes, its due set) and counts up those
 * incidents' revisions: a change is never stored without its mark, so a failed write leaves
 * nothing half done, and a retried delivery, a duplicate, has nothing left to mark. Once EXEC
 * succeeds the process talking to Slack is woken (best effort: it reads the outbox every second).
 *
 * WATCH belongs to a connection, so transactions run on a connection of their own (see
 * TransactionConnection; `close()` ends it), one at a time per store, and one that fails drops it:
 * with Redis gone or hanging a transaction fails within a command timeout instead of waiting.
 * Ids come from INCR, reserved only when an alert opens an incident and kept across
 * retries; an attempt lost to a replica that opened the incident first leaves a gap in the numbers.
 */
export class IncidentStore {
  private readonly settings: Settings;
  private readonly transactions: TransactionConnection;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly waiting: WaitingIngest[] = [];
  private readonly outbox: IncidentOutbox;
  private readonly acknowledgements: IncidentAcknowledgements;
  /**
   * Each incident as last read, by id, with the text it was parsed from. Every change reads the
   * whole hash, and during a storm of thousands of open incidents parsing them all again for each
   * alert was most of a worker's time: an unchanged text keeps its parsed incident. Safe to share
   * because correlation never changes its input (it runs twice on one read: see attempts).
   */
  private readonly parsed = new Map<string, { body: string; incident: StoredIncident }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly catalogue: Catalogue,
    options: IncidentStoreOptions = {},
  ) {
    this.settings = { ...DEFAULT_OPTIONS, ...options };
    this.outbox = new IncidentOutbox(redis, prefix, { paging: pagingConfigured(catalogue.paging) });
    this.acknowledgements = new IncidentAcknowledgements(redis, prefix);
    this.transactions = new TransactionConnection(redis, this.settings.connectTimeoutMilliseconds);
  }

  private get incidentsKey(): string {
    return `${this.prefix}incidents`;
  }

  private get tombstonesKey(): string {
    return `${this.prefix}incidents:tombstones`;
  }

  private get sequenceKey(): string {
    return `${this.prefix}incident:sequence`;
  }

  private messageKey(id: string): string {
    return `${this.prefix}incident:${id}:message`;
  }

  private postingKey(id: string): string {
    return `${this.prefix}incident:${id}:posting`;
  }

  /**
   * Applies the alerts in order; one change per alert, each preceded by the 'merged' and
   * 'absorbed' changes of the incidents it bridged (see applyAlert). Calls made while a transaction runs are
   * committed together in the next one (a group commit), in the order they were made: a storm of
   * concurrent webhook deliveries costs a few transactions, not one each, and every caller still
   * gets its own changes.
   */
  ingest(alerts: readonly Alert[], now: number): Promise<IncidentChange[]> {
    if (alerts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ alerts, now, resolve, reject });
      if (this.waiting.length === 1) void this.commitWaiting();
    });
  }

  private async commitWaiting(): Promise<void> {
    let group: WaitingIngest[] | undefined;
    try {
      const changesByCall = await this.update(
        () => Math.max(...(group ?? this.waiting).map((call) => call.now)),
        (initial, newIncidentId) => {
          // Taken when the transaction starts, so calls made until then join it.
          group ??= this.waiting.splice(0);
          let state = initial;
          const result = group.map((call) =>
            call.alerts.flatMap((alert) => {
              const applied = applyAlert(state, alert, this.catalogue, { ...this.settings, newIncidentId });
              state = { incidents: applied.incidents, tombstones: applied.tombstones };
              return [...(applied.merges ?? []), applied.change];
            }),
          );
          return { state, changes: result.flat(), result };
        },
      );
      group?.forEach((call, index) => call.resolve(changesByCall[index]!));
    } catch (error) {
      (group ?? this.waiting.splice(0)).forEach((call) => call.reject(error));
    }
  }

  /** Ends what time alone ends (see settleIncidents); call it on a timer with the current time. */
  async settle(now: number): Promise<IncidentChange[]> {
    return this.update(() => now, (state) => {
      const { changes, ...settled } = settleIncidents(state, now, this.settings);
      return { state: settled, changes, result: changes };
    });
  }

  /**
   * Resolves an open incident by hand (see resolveIncident), as one transaction: of two clicks,
   * here or on another replica, only the first gets the change; the other gets undefined, as does
   * an incident that is unknown or already resolved.
   */
  async resolve(id: string, by: string, now: number): Promise<IncidentChange | undefined> {
    return this.update(() => now, (state) => {
      const { change, ...resolved } = resolveIncident(state, id, { by, at: now }, this.settings);
      return { state: resolved, changes: change ? [change] : [], result: change };
    });
  }

  async open(): Promise<StoredIncident[]> {
    return (await this.all()).filter((incident) => incident.status === 'open');
  }

  async get(id: string): Promise<StoredIncident | undefined> {
    const body = await this.redis.hget(this.incidentsKey, id);
    return body === null ? undefined : parseIncident(id, body);
  }

  /** Open and recently resolved incidents, newest (latest opened) first. */
  async all(): Promise<StoredIncident[]> {
    const bodies = await this.redis.hgetall(this.incidentsKey);
    const incidents = Object.entries(bodies).map(([id, body]) => parseIncident(id, body));
    return incidents.sort((left, right) => right.firstSeen - left.firstSeen || incidentNumber(right.id) - incidentNumber(left.id));
  }

  /** Records where the root message is; the posting attempt behind it is over. */
  async setMessage(id: string, message: IncidentMessage): Promise<void> {
    await this.redis
      .multi()
      .set(this.messageKey(id), JSON.stringify({ channel: message.channel, ts: message.ts }), 'EX', this.settings.messageTtlSeconds)
      .del(this.postingKey(id))
      .exec();
  }

  async message(id: string): Promise<IncidentMessage | undefined> {
    const body = await this.redis.get(this.messageKey(id));
    return body === null ? undefined : (JSON.parse(body) as IncidentMessage);
  }

  /**
   * Notes that a root message is about to be posted to `channel`. If the poster dies before
   * `setMessage`, the next one finds the note and looks for the message in the channel before
   * posting, so no incident ever gets two root messages.
   */
  async markPosting(id: string, attempt: PostingAttempt): Promise<void> {
    await this.redis.set(this.postingKey(id), JSON.stringify(attempt), 'EX', this.settings.messageTtlSeconds);
  }

  /** The unfinished posting attempt, if a poster died between posting and recording. */
  async postingAttempt(id: string): Promise<PostingAttempt | undefined> {
    const body = await this.redis.get(this.postingKey(id));
    return body === null ? undefined : (JSON.parse(body) as PostingAttempt);
  }

  /** Closes the transaction connection, if one was opened; the connection given stays the caller's. */
  async close(): Promise<void> {
    await this.transactions.close();
  }

  /** One at a time per store: concurrent WATCH cycles on one connection would clear each other's watch. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** `now` is read once the state is computed: pruning needs the time of the latest call in the group. */
  private update<T>(now: () => number, compute: (state: CorrelationState, newIncidentId: () => string) => Computed<T>): Promise<T> {
    return this.serialize(async () => {
      const connection = await this.transactions.get();
      try {
        return await this.attempts(connection, now, compute);
      } catch (error) {
        // A timeout or a lost connection leaves the connection in doubt; a failed compute leaves a WATCH: a new one either way.
        this.transactions.drop();
        throw error;
      }
    });
  }

  private async attempts<T>(connection: Redis, now: () => number, compute: (state: CorrelationState, newIncidentId: () => string) => Computed<T>): Promise<T> {
    const reserved: string[] = [];
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      await connection.watch(this.incidentsKey, this.tombstonesKey);
      const stored = await this.read(connection);
      // The pure step is deterministic: a dry run counts the ids it needs, so the counter is
      // only touched when something opens, and the real run uses ids reserved for this call.
      let wanted = 0;
      let outcome = compute(stored.state, () => `pending-${wanted++}`);
      if (wanted > 0) {
        if (reserved.length < wanted) {
          const missing = wanted - reserved.length;
          const last = await connection.incrby(this.sequenceKey, missing);
          for (let number = last - missing + 1; number <= last; number++) reserved.push(`INC-${number}`);
        }
        let next = 0;
        outcome = compute(stored.state, () => reserved[next++]!);
      }
      // EXEC ends the watch whatever it answers.
      const replies = await this.writes(connection, stored, outcome, now()).exec();
      if (replies !== null) {
        const failure = replies.find(([error]) => error !== null)?.[0];
        if (failure) throw new AiopsError(ErrorCode.SourceUnavailable, `incident store: write failed: ${failure.message}`, { backend: 'redis', cause: failure });
        this.announce(outcome.changes);
        return outcome.result;
      }
      await sleep(Math.random() * Math.min(this.settings.maxBackoffMilliseconds, 2 ** attempt));
    }
    throw new AiopsError(ErrorCode.SourceUnavailable, `incident store: gave up after ${this.settings.maxAttempts} conflicting writes`, {
      backend: 'redis',
      hint: 'too many replicas are writing incidents at once',
    });
  }

  /** Wakes the process talking to Slack; not awaited: the changes are stored and marked already. */
  private announce(changes: readonly IncidentChange[]): void {
    const ids = [...new Set(changes.filter(isShownInSlack).map((change) => change.incidentId))];
    if (ids.length > 0) void announceIncidentsDue(this.redis, this.prefix, ids).catch(() => undefined);
  }

  private async read(connection: Redis): Promise<Stored> {
    const replies = await connection.pipeline().hgetall(this.incidentsKey).get(this.tombstonesKey).exec();
    const [incidentsReply, tombstonesReply] = replies ?? [];
    const error = incidentsReply?.[0] ?? tombstonesReply?.[0];
    if (error) throw new AiopsError(ErrorCode.SourceUnavailable, `incident store: read failed: ${error.message}`, { backend: 'redis', cause: error });
    const rawIncidents = (incidentsReply?.[1] ?? {}) as Record<string, string>;
    const rawTombstones = (tombstonesReply?.[1] ?? null) as string | null;
    // Opening order, as a single process would have appended them: ties in correlation then break alike everywhere.
    const incidents = Object.entries(rawIncidents)
      // Each id's number once, not once per comparison: thousands of incidents are read for every alert in a storm.
      .map(([id, body]) => ({ incident: this.parsedIncident(id, body), number: incidentNumber(id) }))
      .sort((left, right) => left.number - right.number || left.incident.id.localeCompare(right.incident.id))
      .map(({ incident }) => incident);
    const tombstones = rawTombstones === null ? [] : (JSON.parse(rawTombstones) as Tombstone[]);
    const revisions = new Map(incidents.map((incident) => [incident.id, incident.revision]));
    for (const id of this.parsed.keys()) if (!Object.hasOwn(rawIncidents, id)) this.parsed.delete(id);
    return { state: { incidents, tombstones }, rawIncidents, rawTombstones, revisions };
  }

  private parsedIncident(id: string, body: string): StoredIncident {
    const known = this.parsed.get(id);
    if (known?.body === body) return known.incident;
    const incident = parseIncident(id, body);
    this.parsed.set(id, { body, incident });
    return incident;
  }

  /**
   * The MULTI writing only what changed, with the outbox marks of the changes shown in Slack and
   * their incidents' revisions counted up, and pruning incidents resolved before the retention.
   */
  private writes(connection: Redis, stored: Stored, computed: Computed<unknown>, now: number) {
    const { state, changes } = computed;
    const transaction = connection.multi();
    const cutoff = now - this.settings.retentionMilliseconds;
    const shown = new Map<string, number>();
    for (const change of changes.filter(isShownInSlack)) shown.set(change.incidentId, (shown.get(change.incidentId) ?? 0) + 1);
    const kept = new Set<string>();
    // Correlation hands back the very incidents it did not touch: those are written as they were read.
    const asRead = new Set(stored.state.incidents);
    for (const incident of state.incidents) {
      if (incident.status === 'resolved' && incident.resolvedAt !== undefined && incident.resolvedAt < cutoff) continue;
      kept.add(incident.id);
      if (asRead.has(incident) && !shown.has(incident.id)) continue;
      // Counted here from what was read, whatever the pure step copied: correlation knows nothing of revisions.
      const revision = (stored.revisions.get(incident.id) ?? 0) + (shown.get(incident.id) ?? 0);
      const body = JSON.stringify({ ...incident, revision });
      if (stored.rawIncidents[incident.id] !== body) transaction.hset(this.incidentsKey, incident.id, body);
    }
    this.outbox.queueMarks(transaction, changes, this.settings.wallClock());
    const pruned = Object.keys(stored.rawIncidents).filter((id) => !kept.has(id));
    if (pruned.length > 0) {
      transaction.hdel(this.incidentsKey, ...pruned);
      transaction.del(...pruned.flatMap((id) => [this.messageKey(id), this.postingKey(id)]));
      this.outbox.queueForget(transaction, pruned);
      this.acknowledgements.queueForget(transaction, pruned);
    }
    const tombstones = state.tombstones.length === 0 ? null : JSON.stringify(state.tombstones);
    if (tombstones !== stored.rawTombstones) {
      if (tombstones === null) transaction.del(this.tombstonesKey);
      else transaction.set(this.tombstonesKey, tombstones);
    }
    // Even with nothing to write, EXEC checks the watch: the changes returned came from one consistent read.
    return transaction;
  }
}

/** Incidents stored before revisions were counted read as revision 1: the sweep redraws each once. */
function parseIncident(id: string, body: string): StoredIncident {
  try {
    const incident = JSON.parse(body) as Incident & { revision?: number };
    return { ...incident, revision: incident.revision ?? 1 };
  } catch (error) {
    throw new AiopsError(ErrorCode.SourceBadResponse, `incident store: incident ${id} is not valid JSON`, { backend: 'redis', cause: error });
  }
}

/** The number in `INC-42`; ids of another shape sort first. */
function incidentNumber(id: string): number {
  const match = /^INC-(\d+)$/.exec(id);
  return match ? Number(match[1]) : 0;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
