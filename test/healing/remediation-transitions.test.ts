import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { approve, claim, finish, parametersHash, reject, startWriting } from '../../src/healing/remediation-transitions.js';
import type { RemediationRequest } from '../../src/remediation-vocabulary.js';
import type { RemediationRecord } from '../../src/state/remediation-requests.js';
import { testRedis } from '../support/test-redis.js';
import { cleanUp, harness, noticesOf, type Harness, proposal, proposed, request, statusOf } from './healing-harness.js';

/**
 * The request's state machine as pure functions, and the executor's claim at the unit level: a
 * worker that died holding a request, a worker still holding one.
 */

const { redis } = await testRedis();
afterEach(() => cleanUp(redis));
afterAll(() => redis.disconnect());

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;
const TARGET = JSON.stringify({ replicas: 3, revision: 3, image: 'shop/cart:3.2.0' });

function record(extra: Partial<RemediationRecord> = {}): RemediationRecord {
  const req: RemediationRequest = extra.request ?? { action: 'rollout-restart', service: 'cart', namespace: 'shop', deployment: 'cart' };
  return {
    id: 'R-1',
    request: req,
    parametersHash: parametersHash(req, extra.targetVersion ?? TARGET, extra.toRevision),
    rule: 'approve',
    reason: 'memory climbs to its limit',
    preview: 'would restart shop/cart, replacing 3 pods (dry run)',
    diff: [],
    risk: 'medium',
    verificationPlan: '3 ready pods',
    targetVersion: TARGET,
    requestedBy: 'aiops',
    severity: 'critical',
    createdAt: NOW,
    expiresAt: NOW + 15 * MINUTE,
    status: 'pending',
    approvals: [],
    signals: [],
    ...extra,
  };
}

describe('parametersHash', () => {
  it('binds every parameter and the target version, and nothing else', () => {
    const scale: RemediationRequest = { action: 'scale', service: 'cart', namespace: 'shop', deployment: 'cart', replicas: 6 };
    const base = parametersHash(scale, TARGET);
    expect(parametersHash({ ...scale }, TARGET)).toBe(base);
    const variants = [
      parametersHash({ ...scale, replicas: 5 }, TARGET),
      parametersHash({ ...scale, namespace: 'staging' }, TARGET),
      parametersHash({ ...scale, deployment: 'cart-v2' }, TARGET),
      parametersHash({ ...scale, action: 'rollout-restart' }, TARGET),
      parametersHash(scale, TARGET.replace('"replicas":3', '"replicas":4')),
      parametersHash(scale, TARGET, 2),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('approve and reject', () => {
  it('one approval approves an approve request; approve-2 records the first and refuses the requester', () => {
    expect(approve(record(), 'U0ALICE', NOW + MINUTE)).toEqual({ record: record({ status: 'approved', approvals: [{ by: 'U0ALICE', at: NOW + MINUTE }] }), result: { kind: 'approved' } });
    const two = record({ rule: 'approve-2', requestedBy: 'U0ALICE' });
    expect(approve(two, 'U0ALICE', NOW)).toEqual({ result: { kind: 'requester' } });
    const first = approve(two, 'U0BOB', NOW);
    expect(first).toEqual({ record: { ...two, approvals: [{ by: 'U0BOB', at: NOW }] }, result: { kind: 'recorded', remaining: 1 } });
    expect(approve(first.record!, 'U0BOB', NOW)).toEqual({ result: { kind: 'already-approved' } });
    expect(approve(first.record!, 'U0CAROL', NOW).result).toEqual({ kind: 'approved' });
  });

  it('expires at expiresAt exactly, and says decided once it is no longer pending', () => {
    expect(approve(record(), 'U0ALICE', NOW + 15 * MINUTE - 1).result.kind).toBe('approved');
    expect(approve(record(), 'U0ALICE', NOW + 15 * MINUTE)).toEqual({ record: record({ status: 'expired', problem: 'expired before enough approvals' }), result: { kind: 'expired' } });
    for (const status of ['approved', 'executing', 'done', 'rejected', 'expired', 'void'] as const) {
      expect(approve(record({ status }), 'U0ALICE', NOW)).toEqual({ result: { kind: 'decided' } });
      expect(reject(record({ status }), 'U0ALICE', NOW)).toEqual({ result: { kind: 'decided' } });
    }
  });

  it('refuses a record whose parameters no longer match its hash', () => {
    const tampered = { ...record(), request: { ...record().request, deployment: 'payment' } };
    expect(approve(tampered, 'U0ALICE', NOW)).toEqual({ result: { kind: 'tampered' } });
  });

  it('reject: rejected by the user, or expired', () => {
    expect(reject(record(), 'U0BOB', NOW)).toEqual({ record: record({ status: 'rejected', rejection: { by: 'U0BOB', at: NOW } }), result: { kind: 'rejected' } });
    expect(reject(record(), 'U0BOB', NOW + 15 * MINUTE).result).toEqual({ kind: 'expired' });
  });
});

describe('claim, startWriting and finish', () => {
  const approved = record({ status: 'approved', approvals: [{ by: 'U0ALICE', at: NOW + 2 * MINUTE }] });
  const held = (worker: string, leaseUntil: number, writing = false) => record({ ...approved, status: 'executing', execution: { worker, leaseUntil, writing, stamp: NOW + 2 * MINUTE, startedAt: NOW } });

  it('claims an approved request with the approval time as its stamp', () => {
    expect(claim(approved, 'w1', NOW + 3 * MINUTE, 1000, 2000)).toEqual({ record: { ...approved, status: 'executing', execution: { worker: 'w1', leaseUntil: 2000, writing: false, stamp: NOW + 2 * MINUTE, startedAt: NOW + 3 * MINUTE } }, result: { kind: 'claimed' } });
  });

  it('is busy while another worker holds it, taken over once its lease lapses, saying whether it was writing', () => {
    expect(claim(held('w1', 2000), 'w2', NOW, 1999, 5000)).toEqual({ result: { kind: 'busy' } });
    expect(claim(held('w1', 2000, true), 'w2', NOW, 2000, 5000)).toEqual({ record: held('w2', 5000, true), result: { kind: 'resumed', writing: true } });
    expect(claim(held('w1', 2000), 'w2', NOW, 3000, 5000).result).toEqual({ kind: 'resumed', writing: false });
  });

  it('never runs what is not approved or executing', () => {
    for (const status of ['pending', 'done', 'failed', 'rejected', 'expired', 'void'] as const) {
      expect(claim(record({ status }), 'w1', NOW, 0, 1)).toEqual({ result: { kind: 'not-runnable' } });
    }
  });

  it('only the holder may start writing or finish', () => {
    expect(startWriting(held('w1', 2000), 'w2')).toEqual({ result: false });
    expect(startWriting(held('w1', 2000), 'w1')).toEqual({ record: held('w1', 2000, true), result: true });
    expect(finish(held('w1', 2000), 'w2', NOW, { status: 'done', outcome: 'x', dryRun: false })).toEqual({ result: false });
    expect(finish(held('w1', 2000), 'w1', NOW + MINUTE, { status: 'void', problem: 'changed' }).record).toMatchObject({ status: 'void', problem: 'changed', execution: { finishedAt: NOW + MINUTE } });
    expect(finish(approved, 'w1', NOW, { status: 'done', outcome: 'x', dryRun: false })).toEqual({ result: false });
  });
});

describe('crash recovery through Healing.execute', () => {
  async function approvedScale() {
    const h = harness(redis, { scenario: 'traffic-surge' });
    const before = await h.cluster.getDeployment('shop', 'catalogue');
    const created = await proposed(h, proposal(request('scale', 'catalogue', { replicas: before.replicas * 2 })));
    await h.healing.approve(created.id, 'U0ALICE');
    return { h, id: created.id, before };
  }

  it('takes over from a worker that claimed and died, and writes once', async () => {
    const { h, id, before } = await approvedScale();
    await h.requests.transition(id, (current) => claim(current, 'dead-worker', h.clock.now(), Date.now(), Date.now() - 1));
    expect(await statusOf(h, id)).toBe('executing');
    await h.healing.execute(id);
    await h.healing.execute(id);
    expect(h.writes).toEqual([{ method: 'scale', target: 'shop/catalogue' }]);
    expect((await h.cluster.getDeployment('shop', 'catalogue')).replicas).toBe(before.replicas * 2);
    expect((await h.requests.get(id))?.record).toMatchObject({ status: 'done', execution: { worker: expect.not.stringMatching(/^dead-worker$/) } });
    expect(noticesOf(h, 'executed')).toHaveLength(1);
  });

  it('leaves a request another worker still holds: busy, nothing written', async () => {
    const { h, id, before } = await approvedScale();
    await h.requests.transition(id, (current) => claim(current, 'live-worker', h.clock.now(), Date.now(), Date.now() + 60_000));
    await expect(h.healing.execute(id)).rejects.toThrow(/is being run by another worker/);
    expect(h.writes).toEqual([]);
    expect((await h.cluster.getDeployment('shop', 'catalogue')).replicas).toBe(before.replicas);
    expect((await h.requests.get(id))?.record.execution?.worker).toBe('live-worker');
  });

  /** A worker claims, marks the write as sent, sends it (`write`) and dies; its lease lapses. */
  async function diedAfterWriting(h: Harness, id: string, write: (stamp: number) => Promise<unknown>) {
    const claimed = await h.requests.transition(id, (current) => claim(current, 'dead-worker', h.clock.now(), Date.now(), Date.now() + 60_000));
    await h.requests.transition(id, (current) => startWriting(current, 'dead-worker'));
    await write(claimed!.record.execution!.stamp);
    await h.requests.transition(id, (current) => ({ record: { ...current, execution: { ...current.execution!, leaseUntil: Date.now() - 1 } }, result: true }));
  }

  it('a restart the dead worker already sent is sent again with the same stamp, and restarts once', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const before = await h.cluster.getDeployment('shop', 'cart');
    const created = await proposed(h, proposal(request('rollout-restart', 'cart')));
    await h.healing.approve(created.id, 'U0ALICE');
    await diedAfterWriting(h, created.id, (stamp) => h.cluster.rolloutRestart('shop', 'cart', { restartedAt: stamp }));

    await h.healing.execute(created.id);
    expect(h.writes).toHaveLength(2);
    expect((await h.cluster.getDeployment('shop', 'cart')).revisions).toHaveLength(before.revisions.length + 1);
    expect(await statusOf(h, created.id)).toBe('done');
    expect(noticesOf(h, 'executed')).toHaveLength(1);
  });

  // A worker that takes over with `writing: true` reads whether the change is there before
  // sending it again: a rollback renumbers the revision it went back to, and a deleted pod is gone.
  it('a rollback the dead worker already sent ends done, not failed', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const created = await proposed(h, proposal(request('rollback', 'payment')));
    await h.healing.approve(created.id, 'U0ALICE');
    await diedAfterWriting(h, created.id, () => h.cluster.rollback('shop', 'payment', created.toRevision));
    expect((await h.cluster.getDeployment('shop', 'payment')).image).toMatch(/:2\.4\.0$/);

    await h.healing.execute(created.id);
    expect((await h.requests.get(created.id))?.record).toMatchObject({ status: 'done' });
    expect(noticesOf(h, 'failed')).toEqual([]);
  });

  it('a pod deletion the dead worker already sent ends done, not failed', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const [pod] = await h.cluster.listPods('shop', 'cart');
    const created = await proposed(h, proposal(request('delete-pod', 'cart', { pod: pod!.name })));
    await h.healing.approve(created.id, 'U0ALICE');
    await diedAfterWriting(h, created.id, () => h.cluster.deletePod('shop', pod!.name));

    await h.healing.execute(created.id);
    expect((await h.requests.get(created.id))?.record).toMatchObject({ status: 'done' });
    expect(noticesOf(h, 'failed')).toEqual([]);
  });
});
