import type { Redis } from 'ioredis';
import type { ApprovalRule, RemediationRequest } from '../remediation-vocabulary.js';
import type { AlertSeverity } from '../severity.js';

/**
 * pending → approved → executing → done | failed; pending → rejected | expired | void (the target
 * changed before it ran, or policy said no); approved → void (the target changed before the write).
 */
export type RemediationStatus = 'pending' | 'approved' | 'executing' | 'done' | 'failed' | 'rejected' | 'expired' | 'void';

export interface RemediationDecision {
  /** Slack user id, or `aiops` for policy's own `auto`. */
  by: string;
  at: number;
}

/** One signal the request is meant to bring back: its usual level and the level when it was proposed. */
export interface SignalReading {
  metric: string;
  normal: number;
  observed: number;
}

export interface RemediationExecution {
  /** Which worker claimed it, and until when its claim holds (a worker killed mid-action loses it then). */
  worker: string;
  leaseUntil: number;
  /** Set just before the write is sent: a worker that resumes after a crash knows the write may have landed. */
  writing: boolean;
  /** Fixed at approval, passed to the write (a restart's `restartedAt`), so running again changes nothing more. */
  stamp: number;
  startedAt: number;
  finishedAt?: number;
  /** What the cluster said, in words: "scaled shop/catalogue from 3 to 6 replicas". */
  outcome?: string;
  dryRun?: boolean;
}

export interface RemediationVerification {
  at: number;
  helped: boolean;
  /** "error_rate 0.41 when proposed → 0.01 now (usually 0.01)". */
  lines: string[];
}

/**
 * A request to run one remediation, from proposal to verification. Its state lives here, never in
 * a Slack button (which carries the id only); `parametersHash` binds the approval to exactly these
 * parameters and `targetVersion` to the target as it was previewed.
 */
export interface RemediationRecord {
  /** `R-42`. */
  id: string;
  request: RemediationRequest;
  parametersHash: string;
  rule: ApprovalRule;
  /** Why: the diagnosis, one line. */
  reason: string;
  /** The server-side dry run's answer and the change, line by line. */
  preview: string;
  diff: string[];
  risk: string;
  /** What to read afterwards, in words. */
  verificationPlan: string;
  targetVersion: string;
  toRevision?: number;
  /** Slack user id, or `aiops` for the engine. */
  requestedBy: string;
  incidentId?: string;
  severity: AlertSeverity;
  createdAt: number;
  expiresAt: number;
  status: RemediationStatus;
  approvals: RemediationDecision[];
  rejection?: RemediationDecision;
  /** Why it was voided, failed or expired, one line. */
  problem?: string;
  /** The request's Slack message, once posted, and the thread it is in. */
  message?: { channel: string; ts: string; threadTs?: string };
  signals: SignalReading[];
  execution?: RemediationExecution;
  verification?: RemediationVerification;
}

export interface VersionedRecord {
  record: RemediationRecord;
  version: number;
}

/**
 * Writes the body only if its version is still the one read: every transition is read, decide in
 * code, compare-and-set, so two approvers at once, a double click or two replicas never both win.
 * KEYS: bodies hash, versions hash. ARGV: id, expected version, new body.
 */
const COMPARE_AND_SET = `
local version = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if version ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
`;

/** A transition's answer: the record to store (absent: nothing changes) and what to tell the caller. */
export interface Transition<Result> {
  record?: RemediationRecord;
  result: Result;
}

/** How long an incident's proposal marks are kept: longer than any incident lasts open. */
const INCIDENT_MARK_SECONDS = 7 * 86_400;

const OPEN_STATUSES: ReadonlySet<RemediationStatus> = new Set(['pending', 'approved', 'executing']);

/** Retries of a compare-and-set that lost a race; each retry reads the winner's state first. */
const MAXIMUM_ATTEMPTS = 20;

/**
 * Remediation requests in Redis, under the prefix: `healing:sequence` (ids), `healing:body`
 * (id → JSON), `healing:version` (id → write count), `healing:index` (ids by creation time),
 * `healing:switch` (the kill switch), `healing:unhelpful` (deployment and action → how many
 * verifications in a row said it did not help) and `healing:incident:<id>:tried|proposed` (when
 * the engine last looked for an incident's fix, and whether it found one).
 */
export class RemediationRequests {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Requests older than this are trimmed on create, ms (default 30 days: the audit keeps the story beyond). */
    private readonly retentionMilliseconds = 30 * 86_400_000,
  ) {}

  private key(name: string): string {
    return `${this.prefix}healing:${name}`;
  }

  /**
   * Stores a new request, unless one for the same parameters is still open (pending, approved or
   * running): then that one is returned, so a double click on "Request approval", or the engine
   * proposing again on the next alert, makes no second request.
   */
  async create(record: Omit<RemediationRecord, 'id'>): Promise<{ record: RemediationRecord; created: boolean }> {
    const open = this.key(`open:${record.parametersHash}`);
    const openFor = Math.max(1, record.expiresAt - record.createdAt);
    const id = `R-${await this.redis.incr(this.key('sequence'))}`;
    if ((await this.redis.set(open, id, 'PX', openFor, 'NX')) === null) {
      const existing = await this.get((await this.redis.get(open)) ?? '');
      if (existing && OPEN_STATUSES.has(existing.record.status)) return { record: existing.record, created: false };
      await this.redis.set(open, id, 'PX', openFor);
    }
    const stored: RemediationRecord = { id, ...record };
    const expired = await this.redis.zrangebyscore(this.key('index'), '-inf', `(${record.createdAt - this.retentionMilliseconds}`);
    const transaction = this.redis.multi().hset(this.key('body'), id, JSON.stringify(stored)).hset(this.key('version'), id, 0).zadd(this.key('index'), record.createdAt, id);
    if (expired.length > 0) transaction.hdel(this.key('body'), ...expired).hdel(this.key('version'), ...expired).zrem(this.key('index'), ...expired);
    await transaction.exec();
    return { record: stored, created: true };
  }

  async get(id: string): Promise<VersionedRecord | undefined> {
    const [body, version] = await Promise.all([this.redis.hget(this.key('body'), id), this.redis.hget(this.key('version'), id)]);
    return body === null ? undefined : { record: JSON.parse(body) as RemediationRecord, version: Number(version ?? 0) };
  }

  /**
   * Reads the request, lets `decide` choose the next state from what it reads, and stores that
   * only if nobody wrote in between; otherwise reads again and decides again. `undefined` when
   * there is no such request.
   */
  async transition<Result>(id: string, decide: (record: RemediationRecord) => Transition<Result>): Promise<{ record: RemediationRecord; result: Result } | undefined> {
    for (let attempt = 0; attempt < MAXIMUM_ATTEMPTS; attempt += 1) {
      const current = await this.get(id);
      if (!current) return undefined;
      const decided = decide(current.record);
      if (!decided.record) return { record: current.record, result: decided.result };
      const written = (await this.redis.eval(COMPARE_AND_SET, 2, this.key('body'), this.key('version'), id, String(current.version), JSON.stringify(decided.record))) as number;
      if (written === 1) return { record: decided.record, result: decided.result };
    }
    throw new Error(`remediation request ${id}: ${MAXIMUM_ATTEMPTS} writers raced for it; try again`);
  }

  /** Requests made at or after `since`, newest first. */
  async recent(since: number): Promise<RemediationRecord[]> {
    const ids = await this.redis.zrevrangebyscore(this.key('index'), '+inf', since);
    if (ids.length === 0) return [];
    const bodies = await this.redis.hmget(this.key('body'), ...ids);
    return bodies.flatMap((body) => (body ? [JSON.parse(body) as RemediationRecord] : []));
  }

  /**
   * Whether the engine should look for an incident's fix now (`now` on the sources' clock): never
   * again once one was requested, and at most once per `everyMilliseconds` until then, since an
   * incident is often posted before its fault is clear.
   */
  async mayProposeForIncident(incidentId: string, now: number, everyMilliseconds: number): Promise<boolean> {
    if ((await this.redis.exists(this.key(`incident:${incidentId}:proposed`))) === 1) return false;
    const tried = this.key(`incident:${incidentId}:tried`);
    const last = await this.redis.get(tried);
    if (last !== null && now - Number(last) < everyMilliseconds) return false;
    await this.redis.set(tried, String(now), 'EX', INCIDENT_MARK_SECONDS);
    return true;
  }

  async markIncidentProposed(incidentId: string): Promise<void> {
    await this.redis.set(this.key(`incident:${incidentId}:proposed`), '1', 'EX', INCIDENT_MARK_SECONDS);
  }

  /** The kill switch: who turned healing off, when and why, or undefined while it is on. */
  async switchedOff(): Promise<{ by: string; at: number } | undefined> {
    const value = await this.redis.get(this.key('switch'));
    return value === null ? undefined : (JSON.parse(value) as { by: string; at: number });
  }

  async setSwitch(on: boolean, by: string, at: number): Promise<void> {
    if (on) await this.redis.del(this.key('switch'));
    else await this.redis.set(this.key('switch'), JSON.stringify({ by, at }));
  }

  /** How many verifications in a row said this action on this target did not help. */
  async unhelpful(target: string): Promise<number> {
    return Number((await this.redis.hget(this.key('unhelpful'), target)) ?? 0);
  }

  /** Counts one more unhelpful run, or starts again from none after one that helped; returns the count. */
  async recordOutcome(target: string, helped: boolean): Promise<number> {
    if (helped) {
      await this.redis.hdel(this.key('unhelpful'), target);
      return 0;
    }
    return this.redis.hincrby(this.key('unhelpful'), target, 1);
  }
}
