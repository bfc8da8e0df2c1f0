import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RemediationRequest } from '../../src/remediation-vocabulary.js';
import type { Signal } from '../../src/signals.js';
import type { SignalReading } from '../../src/state/remediation-requests.js';
import { testRedis } from '../support/test-redis.js';
import { auditActions, cleanUp, FAULT_START, harness, MINUTE, noticesOf, proposal, proposed, request, type Harness } from './healing-harness.js';

/**
 * After an action: the limits on how often one deployment and one service are touched, the
 * verification of the incident's signals, and the circuit breaker that stops proposing an action
 * that did not help.
 */

const { redis } = await testRedis();
afterEach(() => cleanUp(redis));
afterAll(() => redis.disconnect());

/** The signal as it is now and as it was before the fault. */
async function reading(h: Harness, service: string, metric: Signal): Promise<SignalReading> {
  const normal = await h.metrics.instant(service, metric, new Date(FAULT_START - 10 * MINUTE));
  const observed = await h.metrics.instant(service, metric);
  return { metric, normal: normal!, observed: observed! };
}

/** Proposes, approves and runs one request; returns its id. */
async function run(h: Harness, req: RemediationRequest, signals: SignalReading[] = []): Promise<string> {
  const record = await proposed(h, proposal(req, { signals }));
  const approved = await h.healing.approve(record.id, 'U0ALICE');
  expect(approved).toMatchObject({ allowed: true, result: { kind: 'approved' } });
  await h.healing.execute(record.id);
  expect((await h.requests.get(record.id))?.record.status).toBe('done');
  return record.id;
}

async function problemOf(h: Harness, req: RemediationRequest): Promise<string | undefined> {
  const outcome = await h.healing.propose(proposal(req));
  return outcome.ok ? undefined : outcome.problem;
}

describe('limits', () => {
  it('cooldown: no second action on a deployment within it, even a different one; fine after it', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    const first = await run(h, request('rollout-restart', 'cart'));
    h.clock.advance(5 * MINUTE);
    const scaleOut = request('scale', 'cart', { replicas: 4 });
    expect(await problemOf(h, scaleOut)).toMatch(new RegExp(`^shop/cart had ${first} \\(.+\\) less than 10 min ago; wait for its verification$`));
    expect(noticesOf(h, 'not-proposed')).toHaveLength(1);
    // Another deployment is not held back.
    expect(await problemOf(h, request('rollout-restart', 'payment'))).toBeUndefined();
    h.clock.advance(6 * MINUTE);
    expect(await problemOf(h, scaleOut)).toBeUndefined();
  });

  it('a request that was only proposed, never approved, does not start a cooldown', async () => {
    const h = harness(redis, { scenario: 'memory-leak' });
    await proposed(h, proposal(request('rollout-restart', 'cart')));
    expect(await problemOf(h, request('scale', 'cart', { replicas: 4 }))).toBeUndefined();
  });

  it('perServicePerHour: the third action on a service within the hour is refused', async () => {
    const h = harness(redis, { scenario: 'memory-leak', healing: { limits: { cooldown: MINUTE, perServicePerHour: 2, unhelpfulBeforeEscalation: 2 } } });
    await run(h, request('rollout-restart', 'cart'));
    h.clock.advance(2 * MINUTE);
    await run(h, request('scale', 'cart', { replicas: 4 }));
    h.clock.advance(2 * MINUTE);
    expect(await problemOf(h, request('rollout-restart', 'cart'))).toBe('cart had 2 actions in the last hour (healing.limits.perServicePerHour is 2)');
    h.clock.advance(57 * MINUTE);
    expect(await problemOf(h, request('rollout-restart', 'cart'))).toBeUndefined();
  });
});

describe('verification', () => {
  it('a scale-out on the traffic surge helped: the signal is back, named with its numbers', async () => {
    const h = harness(redis, { scenario: 'traffic-surge' });
    const replicas = (await h.cluster.getDeployment('shop', 'catalogue')).replicas;
    const id = await run(h, request('scale', 'catalogue', { replicas: replicas * 2 }), [await reading(h, 'catalogue', 'latency_p95')]);
    expect(h.jobs.verified).toEqual([{ id, after: 5 * MINUTE }]);
    h.clock.advance(10 * MINUTE);
    await h.healing.verify(id);

    const verification = (await h.requests.get(id))?.record.verification;
    expect(verification).toMatchObject({ at: h.clock.now(), helped: true });
    expect(verification!.lines[0]).toMatch(/^latency_p95 \d.* when proposed → \d.* now \(usually \d.*\)$/);
    expect(verification!.lines[1]).toBe(`${replicas * 2} of ${replicas * 2} pods ready`);
    expect(noticesOf(h, 'verified')).toEqual([expect.objectContaining({ escalate: false, unhelpful: 0 })]);
    expect((await h.audit.recent(1))[0]).toMatchObject({ action: 'healing-verify', detail: expect.stringContaining(' helped: latency_p95') });
  });

  it('a rollback on the bad deploy helped: the error rate is back', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const id = await run(h, request('rollback', 'payment'), [await reading(h, 'payment', 'error_rate')]);
    h.clock.advance(10 * MINUTE);
    await h.healing.verify(id);
    const verification = (await h.requests.get(id))?.record.verification;
    expect(verification?.helped).toBe(true);
    expect(verification?.lines[0]).toMatch(/^error_rate .+ when proposed → .+ now \(usually .+\)$/);
  });

  it('verifies once, and only a request that ran', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    const pending = await proposed(h, proposal(request('rollback', 'payment')));
    await h.healing.verify(pending.id);
    expect((await h.requests.get(pending.id))?.record.verification).toBeUndefined();
    await h.healing.approve(pending.id, 'U0ALICE');
    await h.healing.execute(pending.id);
    h.clock.advance(10 * MINUTE);
    await h.healing.verify(pending.id);
    await h.healing.verify(pending.id);
    expect(noticesOf(h, 'verified')).toHaveLength(1);
    expect((await auditActions(h)).filter((action) => action === 'healing-verify')).toHaveLength(1);
  });

  it('a restart on the bad deploy did not help: escalated, and after two such runs it is not proposed again', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', healing: { limits: { cooldown: 5 * MINUTE, perServicePerHour: 10, unhelpfulBeforeEscalation: 2 } } });
    const restart = request('rollout-restart', 'payment');
    for (const time of [1, 2]) {
      const id = await run(h, restart, [await reading(h, 'payment', 'error_rate')]);
      h.clock.advance(10 * MINUTE);
      await h.healing.verify(id);
      const verification = (await h.requests.get(id))?.record.verification;
      expect(verification?.helped).toBe(false);
      expect(verification?.lines[0]).toMatch(/^error_rate .+ when proposed → .+ now \(usually .+\): not back$/);
      expect(noticesOf(h, 'verified').at(-1)).toMatchObject({ escalate: true, unhelpful: time });
    }
    expect(await h.requests.unhelpful('shop/payment:rollout-restart')).toBe(2);
    expect(await problemOf(h, restart)).toBe('rollout-restart of payment did not help the last 2 times; not proposed again: this needs a person');
    // The breaker holds that action on that deployment only.
    expect(await problemOf(h, request('rollback', 'payment'))).toBeUndefined();
  });

  it('one unhelpful run is not enough to stop proposing it, and a run that helped starts the count again', async () => {
    const h = harness(redis, { scenario: 'bad-deploy' });
    await h.requests.recordOutcome('shop/payment:rollback', false);
    const id = await run(h, request('rollback', 'payment'), [await reading(h, 'payment', 'error_rate')]);
    h.clock.advance(10 * MINUTE);
    await h.healing.verify(id);
    expect(await h.requests.unhelpful('shop/payment:rollback')).toBe(0);
    expect(noticesOf(h, 'verified')).toEqual([expect.objectContaining({ escalate: false, unhelpful: 0 })]);
  });
});
