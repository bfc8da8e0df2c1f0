import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { rollbackTarget } from '../../src/healing/plans/roll-back-plan.js';
import { scaleBounds } from '../../src/healing/plans/scale-plan.js';
import type { RemediationRequest } from '../../src/healing/remediation-action.js';
import { REMEDIATION_ACTIONS } from '../../src/healing/remediation-actions.js';
import { planRemediation } from '../../src/healing/remediation-plans.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

/**
 * The remediation actions (issue 15, point 1) on the simulated shop: each checked against the
 * live deployment, previewed without changing it, then run.
 */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 14, 0);

function world(scenario: string, minutesAfterFault = 20) {
  const clock = new ManualClock(FAULT_START + minutesAfterFault * MINUTE);
  return { clock, ...createSimulatedSources(catalogue, { clock, seed: 5, scenario, faultStart: FAULT_START }) };
}

const request = (action: RemediationRequest['action'], service: string, extra: Partial<RemediationRequest> = {}): RemediationRequest => ({ action, service, namespace: 'shop', deployment: service, ...extra });

describe('scaleBounds', () => {
  it.each([
    [1, 1, 4],
    [3, 2, 6],
    [10, 5, 20],
  ])('from %i replicas allows %i to %i', (current, minimum, maximum) => {
    expect(scaleBounds(current)).toEqual({ minimum, maximum });
  });
});

describe('rollbackTarget', () => {
  const revisions = [
    { revision: 2, replicaSet: 'payment-a', image: 'shop/payment:2.4.0', createdAt: 1 },
    { revision: 3, replicaSet: 'payment-b', image: 'shop/payment:2.5.0', createdAt: 2 },
    // A restart after the bad deploy: a new revision with the same image.
    { revision: 4, replicaSet: 'payment-c', image: 'shop/payment:2.5.0', createdAt: 3 },
  ];
  it('goes back to the newest other image, not to the previous revision, which a restart made the same bad one', () => {
    expect(rollbackTarget(revisions, 'shop/payment:2.5.0')?.revision).toBe(2);
  });
  it('goes to the image asked for, or to nothing when no kept revision has it', () => {
    expect(rollbackTarget(revisions, 'shop/payment:2.5.0', 'shop/payment:2.4.0')?.revision).toBe(2);
    expect(rollbackTarget(revisions, 'shop/payment:2.5.0', 'shop/payment:1.0.0')).toBeUndefined();
  });
});

describe('rollback', () => {
  it('after a bad deploy and a restart, previews without changing anything and then rolls back to the good image', async () => {
    const { cluster, clock } = world('bad-deploy');
    await cluster.rolloutRestart('shop', 'payment');
    clock.advance(MINUTE);
    const before = await cluster.getDeployment('shop', 'payment');
    // The control: "the previous revision" is the bad image again.
    expect((await cluster.rollback('shop', 'payment', undefined, { dryRun: true })).summary).toContain('2.5.0) to revision 3 (2.5.0)');

    const planned = await planRemediation(request('rollback', 'payment'), cluster, clock.now());
    if (!planned.ok) throw new Error(planned.problem);
    expect(planned.plan.diff[0]).toMatch(/^image: \S+:2\.5\.0 → \S+:2\.4\.0$/);
    const action = REMEDIATION_ACTIONS.get('rollback')!;
    expect((await action.preview(planned.plan, cluster)).dryRun).toBe(true);
    expect((await cluster.getDeployment('shop', 'payment')).image).toBe(before.image);

    const done = await action.execute(planned.plan, cluster, clock.now());
    expect(done.dryRun).toBe(false);
    expect((await cluster.getDeployment('shop', 'payment')).image).toMatch(/:2\.4\.0$/);
  });

  it('is refused without a recent rollout, and for an image the deployment does not keep', async () => {
    const { cluster } = world('memory-leak');
    const cart = await cluster.getDeployment('shop', 'cart');
    const rolledOutAt = Math.min(...cart.revisions.filter((revision) => revision.image === cart.image).map((revision) => revision.createdAt));
    expect((await planRemediation(request('rollback', 'cart'), cluster, rolledOutAt + 23 * 60 * MINUTE)).ok).toBe(cart.revisions.some((revision) => revision.image !== cart.image));
    expect(await planRemediation(request('rollback', 'cart'), cluster, rolledOutAt + 25 * 60 * MINUTE)).toEqual({ ok: false, problem: expect.stringMatching(/^cart has had no rollout in the last 24 h/) });
    const bad = world('bad-deploy');
    expect(await planRemediation(request('rollback', 'payment', { toImage: 'shop/payment:0.0.1' }), bad.cluster, bad.clock.now())).toEqual({ ok: false, problem: expect.stringMatching(/^toImage: shop\/payment:0\.0\.1 is in no kept revision of payment/) });
  });
});

describe('scale, rollout restart and delete pod', () => {
  it('scale: bounded by the current count, previewed, then run', async () => {
    const { cluster, clock } = world('traffic-surge');
    const current = (await cluster.getDeployment('shop', 'catalogue')).replicas;
    expect((await planRemediation(request('scale', 'catalogue', { replicas: 50 }), cluster, clock.now())).ok).toBe(false);
    expect((await planRemediation(request('scale', 'catalogue', { replicas: current }), cluster, clock.now())).ok).toBe(false);
    const planned = await planRemediation(request('scale', 'catalogue', { replicas: current * 2 }), cluster, clock.now());
    if (!planned.ok) throw new Error(planned.problem);
    expect(planned.plan.diff).toEqual([`replicas: ${current} → ${current * 2}`]);
    const action = REMEDIATION_ACTIONS.get('scale')!;
    await action.preview(planned.plan, cluster);
    expect((await cluster.getDeployment('shop', 'catalogue')).replicas).toBe(current);
    await action.execute(planned.plan, cluster, clock.now());
    expect((await cluster.getDeployment('shop', 'catalogue')).replicas).toBe(current * 2);
  });

  it('rollout restart: a new revision with the same image', async () => {
    const { cluster, clock } = world('memory-leak');
    const before = await cluster.getDeployment('shop', 'cart');
    const planned = await planRemediation(request('rollout-restart', 'cart'), cluster, clock.now());
    if (!planned.ok) throw new Error(planned.problem);
    await REMEDIATION_ACTIONS.get('rollout-restart')!.execute(planned.plan, cluster, clock.now());
    const after = await cluster.getDeployment('shop', 'cart');
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.image).toBe(before.image);
  });

  it("delete pod: only one of the service's own pods", async () => {
    const { cluster, clock } = world('memory-leak');
    const [pod] = await cluster.listPods('shop', 'cart');
    const paymentPod = (await cluster.listPods('shop', 'payment'))[0]!.name;
    expect(await planRemediation(request('delete-pod', 'cart', { pod: paymentPod }), cluster, clock.now())).toEqual({ ok: false, problem: expect.stringMatching(/is not one of cart's pods/) });
    const planned = await planRemediation(request('delete-pod', 'cart', { pod: pod!.name }), cluster, clock.now());
    expect(planned.ok).toBe(true);
  });
});
