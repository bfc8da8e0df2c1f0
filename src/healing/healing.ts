import { randomUUID } from 'node:crypto';
import { isUserGroup, type GroupDirectory } from '../access/group-directory.js';
import type { Catalogue } from '../catalogue.js';
import { defangLinks } from '../defang-links.js';
import type { Logger } from '../logger.js';
import type { RemediationRequest } from '../remediation-vocabulary.js';
import type { AlertSeverity } from '../severity.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import { MAXIMUM_REASON_CHARACTERS } from '../state/action-proposals.js';
import type { AuditLog } from '../state/audit-log.js';
import type { RemediationRecord, RemediationRequests, SignalReading } from '../state/remediation-requests.js';
import { approvalRuleFor, approversFor } from './healing-policy.js';
import { REMEDIATION_ACTIONS } from './remediation-actions.js';
import type { RemediationPlan } from './remediation-action.js';
import { planRemediation } from './remediation-plans.js';
import { remediationRisk } from './remediation-risk.js';
import { remediationText } from './remediation-text.js';
import { approve, claim, finish, parametersHash, reject, startWriting, type ApproveResult, type RejectResult } from './remediation-transitions.js';
import { verifySignals } from './verify-signals.js';

/** What the Slack side is told, to edit the request's message and write in its thread. */
export type HealingNotice =
  | { kind: 'requested'; record: RemediationRecord; thread?: SlackThread }
  | { kind: 'already-requested'; record: RemediationRecord; thread: SlackThread }
  | { kind: 'not-proposed'; request: RemediationRequest; problem: string; thread?: SlackThread }
  | { kind: 'executed' | 'failed' | 'verified'; record: RemediationRecord; escalate?: boolean; unhelpful?: number }
  | { kind: 'void'; record: RemediationRecord };

/** Where a request's message goes: the thread of the incident or answer it came from. */
export interface SlackThread {
  channel: string;
  threadTs: string;
}

export interface HealingDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  metrics: Pick<MetricsSource, 'instant'>;
  requests: RemediationRequests;
  audit: AuditLog;
  /** User groups' members, for who may approve (fails closed). */
  directory: GroupDirectory;
  /**
   * The worker's jobs: proposing (its server-side dry run needs the executor's rights, which only
   * workers hold), running an approved request as a job whose id is the request's id, and
   * verifying it after a delay.
   */
  jobs: { propose(input: ProposalInput): Promise<void>; execute(id: string): Promise<void>; verify(id: string, afterMilliseconds: number): Promise<void> };
  /** Tells Slack what became of a request (through the bot role; workers never talk to Slack). */
  notify(notice: HealingNotice): Promise<void>;
  /** The sources' clock. */
  now: () => number;
  /** Everything happens, Slack included, except the write: the server-side dry run stands in. */
  dryRun: boolean;
  logger: Logger;
  /** How long a worker's claim on a running request holds, in real ms: as long as its job's lock (HEALING_LOCK_MILLISECONDS). */
  leaseMilliseconds: number;
}

export interface ProposalInput {
  request: RemediationRequest;
  /** Why: the diagnosis, one line. */
  reason: string;
  /** Slack user id, or `aiops` for the engine. */
  requestedBy: string;
  incidentId?: string;
  severity: AlertSeverity;
  /** The signals it should bring back, for verification. */
  signals: SignalReading[];
  /** Where its message goes; absent, it is audited and logged only. */
  thread?: SlackThread;
}

export type ProposalOutcome = { ok: true; record: RemediationRecord; created: boolean } | { ok: false; problem: string };

export type DecisionOutcome<Result> = { allowed: false; reason: string } | { allowed: true; record?: RemediationRecord; result?: Result; missing?: true };

const HOUR = 3_600_000;
/** Statuses that count against the limits: it ran, runs or is about to. */
const COUNTED = new Set(['approved', 'executing', 'done']);

/**
 * Remediation with a person in the loop: a proposal becomes a request once the checks, policy, the
 * limits and a server-side dry run allow it; authorised people approve or reject it; a worker runs
 * it exactly once and it is verified afterwards. Every step is audited. Transport-free: Slack and
 * the workers call it, and its state lives in Redis.
 */
export class Healing {
  constructor(private readonly dependencies: HealingDependencies) {}

  private get settings() {
    return this.dependencies.catalogue.healing;
  }

  /** From the bot: a worker proposes it (its dry run needs the executor's rights); the request reaches the thread as a notice. */
  async requestProposal(input: ProposalInput): Promise<void> {
    await this.dependencies.jobs.propose(input);
  }

  /** Checks, decides by policy and previews; records the request (or returns the open one with the same parameters). `auto` ones start at once. */
  async propose(input: ProposalInput): Promise<ProposalOutcome> {
    const { cluster, requests, now } = this.dependencies;
    const at = now();
    const { request } = input;
    const off = await requests.switchedOff();
    if (off) return this.refuseProposal(input, `healing is off (turned off by ${off.by} at ${new Date(off.at).toISOString()}); /aiops healing on turns it back on`);
    const rule = approvalRuleFor(this.settings, request.action, request.namespace, input.severity);
    if (rule === 'forbidden') return this.refuseProposal(input, `the catalogue's healing.policy forbids ${request.action} in namespace ${request.namespace}`);
    const target = targetOf(request);
    const unhelpful = await requests.unhelpful(target);
    if (unhelpful >= this.settings.limits.unhelpfulBeforeEscalation) {
      return this.refuseProposal(input, `${request.action} of ${request.service} did not help the last ${unhelpful} times; not proposed again: this needs a person`);
    }
    const limited = await this.limitProblem(request, at);
    if (limited) return this.refuseProposal(input, limited);
    let plan: RemediationPlan;
    try {
      const planned = await planRemediation(request, cluster, at);
      if (!planned.ok) return this.refuseProposal(input, planned.problem);
      plan = planned.plan;
    } catch (error) {
      return this.refuseProposal(input, `cannot read ${request.namespace}/${request.deployment}: ${(error as Error).message}`);
    }
    let preview: string;
    try {
      preview = (await REMEDIATION_ACTIONS.get(request.action)!.preview(plan, cluster)).summary;
    } catch (error) {
      return this.refuseProposal(input, `the API server refused the dry run: ${(error as Error).message}`);
    }
    const auto = rule === 'auto';
    // The reason may be a model's words from what its tools read: one line, links defanged, wherever it is shown or audited.
    const reason = defangLinks(input.reason.replace(/\s+/g, ' ').trim()).slice(0, MAXIMUM_REASON_CHARACTERS);
    const { record, created } = await requests.create({
      request: plan.request,
      parametersHash: parametersHash(plan.request, plan.targetVersion, plan.toRevision),
      rule,
      reason,
      preview,
      diff: plan.diff,
      risk: remediationRisk(plan),
      verificationPlan: plan.verification,
      targetVersion: plan.targetVersion,
      ...(plan.toRevision === undefined ? {} : { toRevision: plan.toRevision }),
      requestedBy: input.requestedBy,
      ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      severity: input.severity,
      createdAt: at,
      expiresAt: at + this.settings.requestExpiry,
      status: auto ? 'approved' : 'pending',
      approvals: auto ? [{ by: 'aiops', at }] : [],
      signals: input.signals,
    });
    if (!created) {
      // The same fix is already waiting (asked from the incident, say): this thread is pointed there, not given a second request.
      if (input.thread && (record.message?.threadTs !== input.thread.threadTs || record.message.channel !== input.thread.channel)) await this.dependencies.notify({ kind: 'already-requested', record, thread: input.thread });
      return { ok: true, record, created };
    }
    await this.audit(input.requestedBy, 'propose', record, `${remediationText(record.request)} (${rule}): ${reason}; dry run: ${preview}`);
    await this.dependencies.notify({ kind: 'requested', record, ...(input.thread ? { thread: input.thread } : {}) });
    if (auto) {
      await this.audit('aiops', 'approve', record, `policy: auto for ${request.action} in ${request.namespace}`);
      await this.dependencies.jobs.execute(record.id);
    }
    return { ok: true, record, created };
  }

  /** Who may approve or reject in the request's namespace; fails closed when a group cannot be read. */
  async mayDecide(user: string, namespace: string): Promise<{ allowed: true } | { allowed: false; reason: string }> {
    const principals = approversFor(this.settings, namespace);
    if (principals.length === 0) return { allowed: false, reason: `Nobody may approve in namespace ${namespace}: the catalogue's healing.approvers names no one for it.` };
    if (principals.includes(user)) return { allowed: true };
    const failures: string[] = [];
    for (const group of principals.filter(isUserGroup)) {
      try {
        if ((await this.dependencies.directory.members(group)).has(user)) return { allowed: true };
      } catch (error) {
        failures.push(`user group ${group} cannot be read (${(error as Error).message})`);
      }
    }
    if (failures.length > 0) return { allowed: false, reason: `I cannot check who may approve in ${namespace}: ${failures[0]}; refused until I can.` };
    return { allowed: false, reason: `Only the approvers of namespace ${namespace} (${principals.join(', ')}) may decide this.` };
  }

  async approve(id: string, user: string): Promise<DecisionOutcome<ApproveResult>> {
    return this.decide(id, user, 'approve', async (record, at) => {
      const changed = await this.dependencies.requests.transition(id, (current) => approve(current, user, at));
      if (!changed) return { allowed: true, missing: true };
      const { result } = changed;
      if (result.kind === 'approved' || result.kind === 'recorded') {
        await this.audit(user, 'approve', changed.record, result.kind === 'approved' ? `approved ${remediationText(record.request)}` : `approved ${remediationText(record.request)}; ${result.remaining} more approval needed`);
      }
      if (result.kind === 'approved') await this.dependencies.jobs.execute(id);
      return { allowed: true, record: changed.record, result };
    });
  }

  async reject(id: string, user: string): Promise<DecisionOutcome<RejectResult>> {
    return this.decide(id, user, 'reject', async (record, at) => {
      const changed = await this.dependencies.requests.transition(id, (current) => reject(current, user, at));
      if (!changed) return { allowed: true, missing: true };
      if (changed.result.kind === 'rejected') await this.audit(user, 'reject', changed.record, `rejected ${remediationText(record.request)}`);
      return { allowed: true, record: changed.record, result: changed.result };
    });
  }

  /**
   * The job: claim, re-read the target, write once, schedule the verification. A second delivery
   * (a retry, a second replica, a recovered stalled job) finds the request claimed or finished and
   * does nothing; one that takes over from a killed worker re-sends the write only when that
   * worker may have sent it, and the writes are idempotent (a count, a revision, a stamped restart).
   */
  async execute(id: string): Promise<void> {
    const { requests, cluster, now } = this.dependencies;
    // One id per run, not per process: a second delivery in this same process must find it busy too.
    const worker = `${process.pid}-${randomUUID().slice(0, 8)}`;
    // Leases are real time whatever the sources' clock: they race the job's lock, which is.
    const claimed = await requests.transition(id, (record) => claim(record, worker, now(), Date.now(), Date.now() + this.dependencies.leaseMilliseconds));
    if (!claimed || claimed.result.kind === 'not-runnable') return;
    if (claimed.result.kind === 'busy') throw new Error(`${id} is being run by another worker; trying again once its claim lapses`);
    let record = claimed.record;
    const action = REMEDIATION_ACTIONS.get(record.request.action)!;
    const writing = claimed.result.kind === 'resumed' && claimed.result.writing;
    if (!writing) {
      const problem = await this.runTimeProblem(record);
      if (problem) return this.endWithout(record, worker, problem);
      const started = await requests.transition(id, (current) => startWriting(current, worker));
      if (!started?.result) return;
      record = started.record;
    }
    const plan: RemediationPlan = { request: record.request, diff: record.diff, verification: record.verificationPlan, targetVersion: record.targetVersion, ...(record.toRevision === undefined ? {} : { toRevision: record.toRevision }) };
    const dryRun = this.dependencies.dryRun;
    let outcome: string;
    try {
      if (writing && !dryRun && (await action.alreadyDone(plan, cluster))) outcome = `${remediationText(record.request)}: already done by the worker that was stopped while it ran; not sent again`;
      else outcome = (dryRun ? await action.preview(plan, cluster) : await action.execute(plan, cluster, record.execution!.stamp)).summary;
    } catch (error) {
      const failed = await requests.transition(id, (current) => finish(current, worker, now(), { status: 'failed', problem: (error as Error).message }));
      if (!failed?.result) return;
      await this.audit('aiops', 'execute', failed.record, `failed: ${(error as Error).message}`);
      await this.dependencies.notify({ kind: 'failed', record: failed.record, escalate: true });
      return;
    }
    const done = await requests.transition(id, (current) => finish(current, worker, now(), { status: 'done', outcome, dryRun }));
    if (!done?.result) return;
    await this.audit('aiops', 'execute', done.record, dryRun ? `dry-run mode, nothing written: ${outcome}` : outcome);
    await this.dependencies.notify({ kind: 'executed', record: done.record });
    if (!dryRun) await this.dependencies.jobs.verify(id, this.settings.verifyAfter);
  }

  /** Reads the signals again: did it help? Feeds the circuit breaker, and escalates when it did not. */
  async verify(id: string): Promise<void> {
    const { requests, now } = this.dependencies;
    const found = await requests.get(id);
    if (!found || found.record.status !== 'done' || found.record.verification) return;
    const verification = await verifySignals(found.record, this.dependencies.metrics, this.dependencies.cluster, now());
    const changed = await requests.transition(id, (record) => (record.verification ? { result: false } : { record: { ...record, verification }, result: true }));
    if (!changed?.result) return;
    const unhelpful = await requests.recordOutcome(targetOf(changed.record.request), verification.helped);
    await this.audit('aiops', 'verify', changed.record, `${verification.helped ? 'helped' : 'did not help'}: ${verification.lines.join('; ')}`);
    await this.dependencies.notify({ kind: 'verified', record: changed.record, escalate: !verification.helped, unhelpful });
  }

  /** Where the request's message is, for the audit's links and later edits. */
  async attachMessage(id: string, message: { channel: string; ts: string; threadTs?: string }): Promise<void> {
    await this.dependencies.requests.transition(id, (record) => (record.message ? { result: false } : { record: { ...record, message }, result: true }));
  }

  /** The kill switch, for `/aiops healing on|off`. */
  async setSwitch(on: boolean, user: string): Promise<void> {
    await this.dependencies.requests.setSwitch(on, user, this.dependencies.now());
    await this.dependencies.audit.append({ at: this.dependencies.now(), actor: user, action: on ? 'healing-on' : 'healing-off', target: 'healing', detail: on ? 'turned healing back on' : 'turned healing off: nothing is proposed or run until it is on again' });
  }

  private async decide<Result>(id: string, user: string, verb: 'approve' | 'reject', run: (record: RemediationRecord, at: number) => Promise<DecisionOutcome<Result>>): Promise<DecisionOutcome<Result>> {
    const found = await this.dependencies.requests.get(id);
    if (!found) return { allowed: true, missing: true };
    const access = await this.mayDecide(user, found.record.request.namespace);
    if (!access.allowed) {
      await this.audit(user, `${verb}-refused`, found.record, access.reason);
      return access;
    }
    return run(found.record, this.dependencies.now());
  }

  /** What stops the write now though it was fine when proposed: the target changed, or the checks no longer pass. */
  private async runTimeProblem(record: RemediationRecord): Promise<string | undefined> {
    if (record.approvals.some((approval) => approval.at > record.expiresAt)) return 'approved after it expired';
    const off = await this.dependencies.requests.switchedOff();
    if (off) return `healing was turned off by ${off.by} before it ran`;
    try {
      const planned = await planRemediation(record.request, this.dependencies.cluster, this.dependencies.now());
      if (!planned.ok) return planned.problem;
      if (planned.plan.targetVersion !== record.targetVersion) return `${record.request.namespace}/${record.request.deployment} changed since the preview`;
      if (parametersHash(planned.plan.request, planned.plan.targetVersion, planned.plan.toRevision) !== record.parametersHash) return 'the parameters differ from those approved';
    } catch (error) {
      return `cannot read ${record.request.namespace}/${record.request.deployment}: ${(error as Error).message}`;
    }
    return undefined;
  }

  /** Voids a request whose target changed and proposes it afresh, previewed against the target as it is now. */
  private async endWithout(record: RemediationRecord, worker: string, problem: string): Promise<void> {
    const voided = await this.dependencies.requests.transition(record.id, (current) => finish(current, worker, this.dependencies.now(), { status: 'void', problem }));
    if (!voided?.result) return;
    await this.audit('aiops', 'void', voided.record, problem);
    await this.dependencies.notify({ kind: 'void', record: voided.record });
    const thread = record.message?.threadTs ? { channel: record.message.channel, threadTs: record.message.threadTs } : undefined;
    await this.propose({ request: record.request, reason: record.reason, requestedBy: record.requestedBy, ...(record.incidentId ? { incidentId: record.incidentId } : {}), severity: record.severity, signals: record.signals, ...(thread ? { thread } : {}) });
  }

  private async limitProblem(request: RemediationRequest, at: number): Promise<string | undefined> {
    const { cooldown, perServicePerHour } = this.settings.limits;
    const recent = (await this.dependencies.requests.recent(at - Math.max(HOUR, cooldown))).filter((record) => COUNTED.has(record.status));
    const lastOnTarget = recent.find((record) => record.request.namespace === request.namespace && record.request.deployment === request.deployment && record.createdAt > at - cooldown);
    if (lastOnTarget) return `${request.namespace}/${request.deployment} had ${lastOnTarget.id} (${remediationText(lastOnTarget.request)}) less than ${cooldown / 60_000} min ago; wait for its verification`;
    const inHour = recent.filter((record) => record.request.service === request.service && record.createdAt > at - HOUR).length;
    if (inHour >= perServicePerHour) return `${request.service} had ${inHour} actions in the last hour (healing.limits.perServicePerHour is ${perServicePerHour})`;
    return undefined;
  }

  private async refuseProposal(input: ProposalInput, problem: string): Promise<ProposalOutcome> {
    await this.dependencies.audit.append({ at: this.dependencies.now(), actor: input.requestedBy, action: 'healing-propose-refused', target: input.request.service, detail: `${remediationText(input.request)}: ${problem}` });
    this.dependencies.logger.info({ service: input.request.service, action: input.request.action, problem }, 'remediation not proposed');
    await this.dependencies.notify({ kind: 'not-proposed', request: input.request, problem, ...(input.thread ? { thread: input.thread } : {}) });
    return { ok: false, problem };
  }

  private async audit(actor: string, action: string, record: RemediationRecord, detail: string): Promise<void> {
    const link = record.message ? ` (message ${record.message.channel}/${record.message.ts})` : '';
    await this.dependencies.audit.append({ at: this.dependencies.now(), actor, action: `healing-${action}`, target: record.request.service, detail: `${record.id} ${detail} [parameters ${record.parametersHash.slice(0, 12)}]${link}` });
    this.dependencies.logger.info({ request: record.id, actor, action, service: record.request.service, parametersHash: record.parametersHash, status: record.status }, `${record.id}: ${action}`);
  }
}

/** The circuit breaker's key: one action on one deployment. */
function targetOf(request: RemediationRequest): string {
  return `${request.namespace}/${request.deployment}:${request.action}`;
}
