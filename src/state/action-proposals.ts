import type { Redis } from 'ioredis';
import type { ProposedAction } from '../remediation-vocabulary.js';
import type { AlertSeverity } from '../severity.js';
import type { SignalReading } from './remediation-requests.js';

export { PROPOSED_ACTIONS, type ProposedAction } from '../remediation-vocabulary.js';

/** A proposal's reason is one sentence; what is longer is cut on the way in (and again wherever it is shown). */
export const MAXIMUM_REASON_CHARACTERS = 300;

/** What the agent asks a person to approve; nothing runs until someone does. */
export interface ActionProposal {
  /** `P-42`. */
  id: string;
  service: string;
  namespace: string;
  deployment: string;
  action: ProposedAction;
  /** Target replicas, for scale. */
  replicas?: number;
  /** The pod, for delete-pod. */
  pod?: string;
  /** The image to go back to, for rollback (chosen by image, never "the previous revision"). */
  toImage?: string;
  /** Why, in the proposer's words: one line, at most MAXIMUM_REASON_CHARACTERS. */
  reason: string;
  /** How severe what it answers is; absent (the agent's), warning. */
  severity?: AlertSeverity;
  /** The signals it should bring back, for verification (the engine's proposals). */
  signals?: SignalReading[];
  /** ms since the epoch, on the sources' clock. */
  proposedAt: number;
  status: 'proposed' | 'approval-requested';
  /** Who asked for approval in Slack, and when; set once, by the first request. */
  approvalRequest?: ApprovalRequest;
}

export interface ApprovalRequest {
  /** Slack user id. */
  by: string;
  at: number;
}

export type ProposalRequest = Omit<ActionProposal, 'id' | 'proposedAt' | 'status' | 'approvalRequest'>;

export interface ProposeResult {
  proposal: ActionProposal;
  /** False when the same proposal was already made within the window and that one is returned. */
  created: boolean;
}

export interface ActionProposalsOptions {
  /** The same service, action and parameters proposed again within this returns the first proposal, ms (default 30 min). */
  sameProposalWindowMilliseconds?: number;
  /** Proposals older than this are trimmed on write, ms (default 7 days). */
  retentionMilliseconds?: number;
}

const DEFAULTS = { sameProposalWindowMilliseconds: 30 * 60_000, retentionMilliseconds: 7 * 86_400_000 };

/**
 * Reuses the proposal behind the same-proposal key while it is younger than the window, else takes
 * a new id, stores the body and indexes it; trims what is past the retention. One script, so two
 * replicas asked the same thing at once agree on one id. Times are the caller's clock (the
 * simulated world runs its own), never Redis' TTLs.
 * KEYS: same-proposal key, sequence, bodies hash, index sorted set, approval-requests hash.
 * ARGV: now, window, body without id, retention cutoff, same-proposal key expiry (ms).
 */
const PROPOSE_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if existing then
  local separator = string.find(existing, '|', 1, true)
  local id = string.sub(existing, 1, separator - 1)
  local at = tonumber(string.sub(existing, separator + 1))
  local body = redis.call('HGET', KEYS[3], id)
  if body and tonumber(ARGV[1]) - at < tonumber(ARGV[2]) then return {id, body, 0} end
end
local id = 'P-' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], id .. '|' .. ARGV[1], 'PX', ARGV[5])
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[1], id)
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[4])
for _, old in ipairs(expired) do redis.call('HDEL', KEYS[3], old); redis.call('HDEL', KEYS[5], old) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[4])
return {id, ARGV[3], 1}
`;

/**
 * Proposed actions, kept for a person to approve in Slack. Layout under the prefix:
 * `action-proposals:sequence` (the counter behind ids), `action-proposals:body` (id → JSON without
 * the id), `action-proposals:index` (ids by proposal time), `action-proposals:approval-requests`
 * (id → who asked for approval first, and when), and one `action-proposals:same:<…>` key per
 * service, action and parameters pointing at the latest proposal of it.
 */
export class ActionProposals {
  private readonly settings: typeof DEFAULTS;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: ActionProposalsOptions = {},
  ) {
    this.settings = {
      sameProposalWindowMilliseconds: options.sameProposalWindowMilliseconds ?? DEFAULTS.sameProposalWindowMilliseconds,
      retentionMilliseconds: options.retentionMilliseconds ?? DEFAULTS.retentionMilliseconds,
    };
  }

  private key(name: string): string {
    return `${this.prefix}action-proposals:${name}`;
  }

  /** Records the proposal, or returns the same one made within the window (the reason may differ; the action does not). */
  async propose(request: ProposalRequest, now: number): Promise<ProposeResult> {
    const body: Omit<ActionProposal, 'id'> = {
      service: request.service,
      namespace: request.namespace,
      deployment: request.deployment,
      action: request.action,
      ...(request.replicas === undefined ? {} : { replicas: request.replicas }),
      ...(request.pod === undefined ? {} : { pod: request.pod }),
      ...(request.toImage === undefined ? {} : { toImage: request.toImage }),
      ...(request.severity === undefined ? {} : { severity: request.severity }),
      ...(request.signals === undefined ? {} : { signals: request.signals }),
      reason: oneLine(request.reason, MAXIMUM_REASON_CHARACTERS),
      proposedAt: now,
      status: 'proposed',
    };
    const same = this.key(`same:${request.namespace}/${request.deployment}:${request.action}:${request.replicas ?? ''}:${request.pod ?? ''}:${request.toImage ?? ''}`);
    const reply = (await this.redis.eval(
      PROPOSE_SCRIPT,
      5,
      same,
      this.key('sequence'),
      this.key('body'),
      this.key('index'),
      this.key('approval-requests'),
      String(now),
      String(this.settings.sameProposalWindowMilliseconds),
      JSON.stringify(body),
      String(now - this.settings.retentionMilliseconds),
      String(this.settings.retentionMilliseconds),
    )) as [string, string, number];
    const [id, storedBody, created] = reply;
    const approvalRequest = created === 1 ? null : await this.redis.hget(this.key('approval-requests'), id);
    return { proposal: withId(id, storedBody, approvalRequest), created: created === 1 };
  }

  async get(id: string): Promise<ActionProposal | undefined> {
    const [body, request] = await Promise.all([this.redis.hget(this.key('body'), id), this.redis.hget(this.key('approval-requests'), id)]);
    return body === null ? undefined : withId(id, body, request);
  }

  /**
   * Records that `by` asked for the proposal's approval. The first request wins, so a double click
   * or a second person changes nothing; the answer says who asked first.
   */
  async requestApproval(id: string, by: string, now: number): Promise<{ proposal: ActionProposal; first: boolean } | undefined> {
    if ((await this.redis.hexists(this.key('body'), id)) === 0) return undefined;
    const first = (await this.redis.hsetnx(this.key('approval-requests'), id, JSON.stringify({ by, at: now }))) === 1;
    const proposal = await this.get(id);
    return proposal ? { proposal, first } : undefined;
  }

  /** Proposals made at or after `since`, newest first. */
  async recent(since: number): Promise<ActionProposal[]> {
    const ids = await this.redis.zrevrangebyscore(this.key('index'), '+inf', since);
    if (ids.length === 0) return [];
    const [bodies, requests] = await Promise.all([this.redis.hmget(this.key('body'), ...ids), this.redis.hmget(this.key('approval-requests'), ...ids)]);
    return ids.flatMap((id, index) => (bodies[index] ? [withId(id, bodies[index], requests[index] ?? null)] : []));
  }
}

/** Whitespace collapsed and cut to `maximum` characters, ending with an ellipsis when cut. */
function oneLine(text: string, maximum: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= maximum ? line : `${line.slice(0, maximum - 1)}…`;
}

function withId(id: string, body: string, request: string | null): ActionProposal {
  const proposal: ActionProposal = { id, ...(JSON.parse(body) as Omit<ActionProposal, 'id'>) };
  return request === null ? proposal : { ...proposal, status: 'approval-requested', approvalRequest: JSON.parse(request) as ApprovalRequest };
}
