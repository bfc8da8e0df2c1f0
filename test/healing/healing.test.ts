import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testRedis } from '../support/test-redis.js';
import { auditActions, cleanUp, GROUP_MEMBER, harness, MINUTE, noticesOf, proposal, proposed, request, statusOf, THREAD, unreadableDirectory, type Harness } from './healing-harness.js';

/**
 * Healing, the use case behind the request buttons: proposing with a dry run, who may approve,
 * exactly one write however often it is clicked or delivered, and what stops a write. On the
 * simulated shop and a real Redis.
 */

const { redis } = await testRedis();
afterEach(() => cleanUp(redis));
afterAll(() => redis.disconnect());

const rollback = request('rollback', 'payment');
const restartCart = request('rollout-restart', 'cart');

async function deployment(h: Harness, name: string) {
  return h.cluster.getDeployment('shop', name);
}

describe('propose', () => {
  it('records a pending rollback with a dry run that changed nothing, a diff, a risk and a parameters hash', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const before = await deployment(h, 'payment');
    expect(before.image).toMatch(/:2\.5\.0$/);

    const outcome = await h.healing.propose(proposal(rollback));
    if (!outcome.ok) throw new Error(outcome.problem);
    const { record, created } = outcome;
    expect(created).toBe(true);
    expect(record).toMatchObject({ id: 'R-1', status: 'pending', rule: 'approve', approvals: [], requestedBy: 'aiops', request: { action: 'rollback', toImage: expect.stringMatching(/:2\.4\.0$/) } });
    expect(record.preview).toMatch(/^would roll back shop\/payment from revision 3 \(2\.5\.0\) to revision \d+ \(2\.4\.0\) \(dry run\)$/);
    expect(record.diff[0]).toMatch(/^image: \S+:2\.5\.0 → \S+:2\.4\.0$/);
    expect(record.risk).toMatch(/^medium: the older code comes back \(revision \d+\)/);
    expect(record.parametersHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.expiresAt - record.createdAt).toBe(15 * MINUTE);

    // The dry run wrote nothing: same image, revision and history.
    expect(await deployment(h, 'payment')).toEqual(before);
    expect(h.writes).toEqual([]);
    expect((await h.requests.get('R-1'))?.record).toEqual(record);

    const [audited] = await h.audit.recent(1);
    expect(audited).toMatchObject({ actor: 'aiops', action: 'healing-propose', target: 'payment' });
    expect(audited!.detail).toContain(`R-1 roll`);
    expect(audited!.detail).toContain(`[parameters ${record.parametersHash.slice(0, 12)}]`);
    expect(h.notices).toEqual([{ kind: 'requested', record, thread: THREAD }]);
  });

  it('proposing the same again returns the open request: no second record, audit or message', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const first = await proposed(h, proposal(rollback));
    const again = await h.healing.propose(proposal(rollback, { reason: 'said differently', requestedBy: 'U0ALICE' }));
    expect(again).toEqual({ ok: true, record: first, created: false });
    expect((await h.requests.recent(0)).map((record) => record.id)).toEqual(['R-1']);
    expect(await auditActions(h)).toEqual(['healing-propose']);
    expect(noticesOf(h, 'requested')).toHaveLength(1);
  });

  it('a request the checks refuse is told in one line, recorded nowhere', async () => {
    const h = harness(redis, { scenario: 'traffic-surge' });
    const outcome = await h.healing.propose(proposal(request('scale', 'catalogue', { replicas: 50 })));
    expect(outcome).toEqual({ ok: false, problem: expect.stringMatching(/^replicas: expected 2 to 6 for catalogue/) });
    expect(await h.requests.recent(0)).toEqual([]);
    expect(noticesOf(h, 'not-proposed')).toEqual([{ kind: 'not-proposed', request: request('scale', 'catalogue', { replicas: 50 }), problem: outcome.ok ? '' : outcome.problem, thread: THREAD }]);
  });
});

describe('who may approve', () => {
  it('refuses a user who is no approver of the namespace: nothing changes, the refusal is audited', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    const refused = await h.healing.approve(record.id, 'U0MALLORY');
    expect(refused).toEqual({ allowed: false, reason: expect.stringContaining('namespace shop') });
    expect(refused.allowed ? '' : refused.reason).toContain('U0ALICE');
    expect(await h.healing.reject(record.id, 'U0MALLORY')).toMatchObject({ allowed: false });
    expect((await h.requests.get(record.id))?.record).toEqual(record);
    expect(h.jobs.executed).toEqual([]);
    expect(await auditActions(h)).toEqual(['healing-propose', 'healing-approve-refused', 'healing-reject-refused']);
    expect((await h.audit.recent(2)).map((entry) => entry.actor)).toEqual(['U0MALLORY', 'U0MALLORY']);
  });

  it('allows a member of an approver user group', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    expect(await h.healing.mayDecide(GROUP_MEMBER, 'shop')).toEqual({ allowed: true });
    const record = await proposed(h, proposal(rollback));
    expect(await h.healing.approve(record.id, GROUP_MEMBER)).toMatchObject({ allowed: true, result: { kind: 'approved' }, record: { status: 'approved' } });
    expect(h.jobs.executed).toEqual([record.id]);
  });

  it('fails closed when the user group cannot be read, saying why; a user named outright still may', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', directory: unreadableDirectory });
    const record = await proposed(h, proposal(rollback));
    const refused = await h.healing.approve(record.id, GROUP_MEMBER);
    expect(refused).toEqual({ allowed: false, reason: 'I cannot check who may approve in shop: user group S0SRE cannot be read (missing_scope: usergroups:read); refused until I can.' });
    expect(await statusOf(h, record.id)).toBe('pending');
    expect(await h.healing.mayDecide('U0ALICE', 'shop')).toEqual({ allowed: true });
  });

  it('nobody may approve in a namespace the approvers do not name', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', healing: { approvers: { staging: ['U0ALICE'] } } });
    expect(await h.healing.mayDecide('U0ALICE', 'shop')).toEqual({ allowed: false, reason: expect.stringMatching(/^Nobody may approve in namespace shop/) });
  });
});

describe('exactly once', () => {
  it('a double click approves once and schedules one execution', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    const [first, second] = await Promise.all([h.healing.approve(record.id, 'U0ALICE'), h.healing.approve(record.id, 'U0ALICE')]);
    const third = await h.healing.approve(record.id, 'U0ALICE');
    const kinds = [first, second, third].map((outcome) => (outcome.allowed ? outcome.result?.kind : 'refused'));
    // Once approved the request is decided: the later clicks change nothing.
    expect(kinds.filter((kind) => kind === 'approved')).toHaveLength(1);
    expect(kinds.filter((kind) => kind !== 'approved')).toEqual(['decided', 'decided']);
    expect(h.jobs.executed).toEqual([record.id]);
    expect((await h.requests.get(record.id))?.record.approvals).toEqual([{ by: 'U0ALICE', at: h.clock.now() }]);
    expect((await auditActions(h)).filter((action) => action === 'healing-approve')).toHaveLength(1);
  });

  it('two approvers at once: one approves, the other finds it decided', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    const outcomes = await Promise.all([h.healing.approve(record.id, 'U0ALICE'), h.healing.approve(record.id, 'U0BOB')]);
    expect(outcomes.map((outcome) => (outcome.allowed ? outcome.result?.kind : 'refused')).sort()).toEqual(['approved', 'decided']);
    expect(h.jobs.executed).toEqual([record.id]);
    expect((await h.requests.get(record.id))?.record.approvals).toHaveLength(1);
  });

  it('the execution delivered again after it ran, and again, writes once', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const before = await deployment(h, 'cart');
    const record = await proposed(h, proposal(restartCart));
    await h.healing.approve(record.id, 'U0ALICE');
    for (let delivery = 0; delivery < 3; delivery += 1) await h.healing.execute(record.id);

    expect(h.writes).toEqual([{ method: 'rolloutRestart', target: 'shop/cart' }]);
    const after = await deployment(h, 'cart');
    expect(after.revisions).toHaveLength(before.revisions.length + 1);
    expect(after.image).toBe(before.image);
    expect(await statusOf(h, record.id)).toBe('done');
    expect(noticesOf(h, 'executed')).toHaveLength(1);
    expect(h.jobs.verified).toEqual([{ id: record.id, after: 5 * MINUTE }]);
    expect(await auditActions(h)).toEqual(['healing-propose', 'healing-approve', 'healing-execute']);
  });

  // Each run claims under its own id: a second delivery in the same process while the first
  // still runs is busy, not a resumption. The first is held at its write until the second ends.
  it('two deliveries at once in one worker process send the write once', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const record = await proposed(h, proposal(request('scale', 'cart', { replicas: 4 })));
    await h.healing.approve(record.id, 'U0ALICE');
    let reached!: () => void;
    let release!: () => void;
    const atWrite = new Promise<void>((resolve) => (reached = resolve));
    h.gate.beforeWrite = () => {
      h.gate.beforeWrite = undefined;
      reached();
      return new Promise<void>((resolve) => (release = resolve));
    };
    const first = h.healing.execute(record.id);
    await atWrite;
    await Promise.allSettled([h.healing.execute(record.id)]);
    release();
    await first;
    expect(h.writes).toEqual([{ method: 'scale', target: 'shop/cart' }]);
    expect(noticesOf(h, 'executed')).toHaveLength(1);
  });

  it('a rollback run through Healing goes back exactly one revision step, to the good image', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', runExecuteJobs: true });
    const before = await deployment(h, 'payment');
    const record = await proposed(h, proposal(rollback));
    await h.healing.approve(record.id, 'U0ALICE');
    await h.healing.execute(record.id);
    const after = await deployment(h, 'payment');
    expect(after.image).toMatch(/:2\.4\.0$/);
    expect(after.revision).toBe(Math.max(...before.revisions.map((revision) => revision.revision)) + 1);
    expect(h.writes).toHaveLength(1);
    expect((await h.requests.get(record.id))?.record.execution).toMatchObject({ dryRun: false, outcome: expect.stringMatching(/^rolled back shop\/payment from revision 3/) });
  });
});

describe('approve-2', () => {
  it('needs two approvers, neither the requester; the same one twice counts once', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', healing: { policy: [{ action: 'rollback', decision: 'approve-2' }] } });
    const record = await proposed(h, proposal(rollback, { requestedBy: 'U0ALICE' }));
    expect(record.rule).toBe('approve-2');
    expect(await h.healing.approve(record.id, 'U0ALICE')).toMatchObject({ allowed: true, result: { kind: 'requester' } });
    expect(await h.healing.approve(record.id, 'U0BOB')).toMatchObject({ allowed: true, result: { kind: 'recorded', remaining: 1 }, record: { status: 'pending' } });
    expect(await h.healing.approve(record.id, 'U0BOB')).toMatchObject({ allowed: true, result: { kind: 'already-approved' } });
    expect(h.jobs.executed).toEqual([]);
    expect(await h.healing.approve(record.id, GROUP_MEMBER)).toMatchObject({ allowed: true, result: { kind: 'approved' }, record: { status: 'approved' } });
    expect((await h.requests.get(record.id))?.record.approvals.map((approval) => approval.by)).toEqual(['U0BOB', GROUP_MEMBER]);
    expect(h.jobs.executed).toEqual([record.id]);
  });
});

describe('what ends a request without a write', () => {
  it('expiry: approving after requestExpiry expires it and runs nothing', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', runExecuteJobs: true });
    const record = await proposed(h, proposal(rollback));
    h.clock.advance(15 * MINUTE);
    expect(await h.healing.approve(record.id, 'U0ALICE')).toMatchObject({ allowed: true, result: { kind: 'expired' }, record: { status: 'expired' } });
    expect(await statusOf(h, record.id)).toBe('expired');
    await h.healing.execute(record.id);
    expect(h.jobs.executed).toEqual([]);
    expect(h.writes).toEqual([]);
  });

  it('expiry: the control, approved a minute before it expires', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    h.clock.advance(14 * MINUTE);
    expect(await h.healing.approve(record.id, 'U0ALICE')).toMatchObject({ result: { kind: 'approved' } });
  });

  it('reject: rejected, and a later execution or approval does nothing', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    expect(await h.healing.reject(record.id, 'U0BOB')).toMatchObject({ allowed: true, result: { kind: 'rejected' }, record: { status: 'rejected', rejection: { by: 'U0BOB' } } });
    await h.healing.execute(record.id);
    expect(await h.healing.approve(record.id, 'U0ALICE')).toMatchObject({ result: { kind: 'decided' } });
    expect(await statusOf(h, record.id)).toBe('rejected');
    expect(h.writes).toEqual([]);
    expect(h.jobs.executed).toEqual([]);
    expect(await auditActions(h)).toEqual(['healing-propose', 'healing-reject']);
  });

  it('void: the target changed after the preview; nothing written, proposed afresh in the same thread', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const record = await proposed(h, proposal(restartCart));
    await h.healing.attachMessage(record.id, { channel: THREAD.channel, ts: '1700000000.000200', threadTs: THREAD.threadTs });
    await h.cluster.scale('shop', 'cart', 4);
    const changed = await deployment(h, 'cart');
    await h.healing.approve(record.id, 'U0ALICE');
    await h.healing.execute(record.id);

    const voided = (await h.requests.get(record.id))?.record;
    expect(voided).toMatchObject({ status: 'void', problem: 'shop/cart changed since the preview' });
    expect(h.writes).toEqual([{ method: 'scale', target: 'shop/cart' }]);
    expect(await deployment(h, 'cart')).toEqual(changed);
    expect(noticesOf(h, 'void')).toHaveLength(1);
    const requested = noticesOf(h, 'requested');
    expect(requested.map((notice) => notice.record.id)).toEqual([record.id, 'R-2']);
    expect(requested[1]).toMatchObject({ thread: THREAD, record: { status: 'pending', diff: expect.arrayContaining([expect.stringContaining('pods: 4 replaced')]) } });
    expect(requested[1]!.record.parametersHash).not.toBe(record.parametersHash);
    expect(h.jobs.executed).toEqual([record.id]);
  });

  it('dry-run mode: done as a dry run, the world unchanged, no verification scheduled', async () => {
    const h = harness(redis, { scenario: 'traffic-surge', dryRun: true, runExecuteJobs: true });
    const before = await deployment(h, 'catalogue');
    const record = await proposed(h, proposal(request('scale', 'catalogue', { replicas: before.replicas * 2 })));
    await h.healing.approve(record.id, 'U0ALICE');
    const done = (await h.requests.get(record.id))?.record;
    expect(done).toMatchObject({ status: 'done', execution: { dryRun: true, outcome: expect.stringContaining('(dry run)') } });
    expect(await deployment(h, 'catalogue')).toEqual(before);
    expect(h.writes).toEqual([]);
    expect(h.jobs.verified).toEqual([]);
    expect(noticesOf(h, 'executed')).toHaveLength(1);
    expect((await h.audit.recent(1))[0]?.detail).toContain('dry-run mode, nothing written');
  });
});

describe('the kill switch', () => {
  it('off: nothing is proposed, saying how to turn it on; on again: proposals again', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    await h.healing.setSwitch(false, 'U0ALICE');
    const refused = await h.healing.propose(proposal(rollback));
    expect(refused).toEqual({ ok: false, problem: expect.stringMatching(/^healing is off \(turned off by U0ALICE at .*\); \/aiops healing on turns it back on$/) });
    expect(await h.requests.recent(0)).toEqual([]);
    await h.healing.setSwitch(true, 'U0ALICE');
    expect(await h.healing.propose(proposal(rollback))).toMatchObject({ ok: true, created: true });
    expect(await auditActions(h)).toEqual(['healing-off', 'healing-propose-refused', 'healing-on', 'healing-propose']);
  });

  it('off after approval: the approved request is not run', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const record = await proposed(h, proposal(rollback));
    await h.healing.approve(record.id, 'U0ALICE');
    await h.healing.setSwitch(false, 'U0BOB');
    await h.healing.execute(record.id);
    expect(h.writes).toEqual([]);
    expect(await h.requests.get(record.id)).toMatchObject({ record: { status: 'void', problem: expect.stringContaining('turned off by U0BOB') } });
    expect(noticesOf(h, 'not-proposed')).toEqual([expect.objectContaining({ problem: expect.stringContaining('/aiops healing on') })]);
  });
});
