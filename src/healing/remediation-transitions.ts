import { createHash } from 'node:crypto';
import type { RemediationRequest } from '../remediation-vocabulary.js';
import type { RemediationRecord, Transition } from '../state/remediation-requests.js';
import { approvalsNeeded } from './healing-policy.js';

/**
 * The request's state machine, as pure functions of the stored record: each says what the record
 * becomes and what to tell the caller. RemediationRequests.transition stores the result only if
 * nobody wrote in between, so these decide as if they were alone.
 */

/** SHA-256 of exactly what will run and on what it was previewed: an approval counts for these parameters only. */
export function parametersHash(request: RemediationRequest, targetVersion: string, toRevision?: number): string {
  const canonical = JSON.stringify([request.action, request.namespace, request.deployment, request.replicas ?? null, request.pod ?? null, request.toImage ?? null, toRevision ?? null, targetVersion]);
  return createHash('sha256').update(canonical).digest('hex');
}

export type ApproveResult =
  | { kind: 'approved' }
  | { kind: 'recorded'; remaining: number }
  | { kind: 'already-approved' }
  | { kind: 'requester' }
  | { kind: 'expired' }
  | { kind: 'decided' }
  | { kind: 'tampered' };

/** One more approval by `user`: enough of them approve the request; the stamp its write carries is the approval time. */
export function approve(record: RemediationRecord, user: string, now: number): Transition<ApproveResult> {
  if (record.status !== 'pending') return { result: { kind: 'decided' } };
  if (now >= record.expiresAt) return { record: { ...record, status: 'expired', problem: 'expired before enough approvals' }, result: { kind: 'expired' } };
  if (parametersHash(record.request, record.targetVersion, record.toRevision) !== record.parametersHash) return { result: { kind: 'tampered' } };
  if (record.approvals.some((approval) => approval.by === user)) return { result: { kind: 'already-approved' } };
  if (record.rule === 'approve-2' && user === record.requestedBy) return { result: { kind: 'requester' } };
  const approvals = [...record.approvals, { by: user, at: now }];
  const remaining = approvalsNeeded(record.rule) - approvals.length;
  if (remaining > 0) return { record: { ...record, approvals }, result: { kind: 'recorded', remaining } };
  return { record: { ...record, approvals, status: 'approved' }, result: { kind: 'approved' } };
}

export type RejectResult = { kind: 'rejected' } | { kind: 'decided' } | { kind: 'expired' };

export function reject(record: RemediationRecord, user: string, now: number): Transition<RejectResult> {
  if (record.status !== 'pending') return { result: { kind: 'decided' } };
  if (now >= record.expiresAt) return { record: { ...record, status: 'expired', problem: 'expired before enough approvals' }, result: { kind: 'expired' } };
  return { record: { ...record, status: 'rejected', rejection: { by: user, at: now } }, result: { kind: 'rejected' } };
}

/** `resumed`: a worker died holding it; `writing` says whether it may have sent the write already. */
export type ClaimResult = { kind: 'claimed' } | { kind: 'resumed'; writing: boolean } | { kind: 'busy' } | { kind: 'not-runnable' };

/**
 * Takes an approved request for `worker` until `leaseUntil` (real time, like `wallNow`; `now` is the sources' clock). A request another worker holds is
 * `busy` while its lease lasts, and taken over (`resumed`) once it lapses; anything not approved
 * or executing is never run.
 */
export function claim(record: RemediationRecord, worker: string, now: number, wallNow: number, leaseUntil: number): Transition<ClaimResult> {
  if (record.status === 'approved') {
    const stamp = record.approvals.at(-1)?.at ?? now;
    return { record: { ...record, status: 'executing', execution: { worker, leaseUntil, writing: false, stamp, startedAt: now } }, result: { kind: 'claimed' } };
  }
  if (record.status !== 'executing' || !record.execution) return { result: { kind: 'not-runnable' } };
  if (record.execution.worker !== worker && record.execution.leaseUntil > wallNow) return { result: { kind: 'busy' } };
  return { record: { ...record, execution: { ...record.execution, worker, leaseUntil } }, result: { kind: 'resumed', writing: record.execution.writing } };
}

/** Marks the write as about to be sent; only the worker holding the claim may. */
export function startWriting(record: RemediationRecord, worker: string): Transition<boolean> {
  if (record.status !== 'executing' || record.execution?.worker !== worker) return { result: false };
  return { record: { ...record, execution: { ...record.execution, writing: true } }, result: true };
}

/** Ends an execution: done with the cluster's words, or failed or void with the reason. */
export function finish(record: RemediationRecord, worker: string, now: number, ending: { status: 'done'; outcome: string; dryRun: boolean } | { status: 'failed' | 'void'; problem: string }): Transition<boolean> {
  if (record.status !== 'executing' || record.execution?.worker !== worker) return { result: false };
  const execution = { ...record.execution, finishedAt: now, ...(ending.status === 'done' ? { outcome: ending.outcome, dryRun: ending.dryRun } : {}) };
  return { record: { ...record, status: ending.status, execution, ...(ending.status === 'done' ? {} : { problem: ending.problem }) }, result: true };
}
