import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../../src/catalogue.js';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../../src/sources/sim/simulated-world.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

function play(scenario: string | undefined, minutesAfterFault: number) {
  const clock = new ManualClock(FAULT_START + minutesAfterFault * MINUTE);
  return { clock, ...createSimulatedSources(catalogue, { clock, seed: 5, scenario, faultStart: FAULT_START }) };
}

describe('simulated cluster reads', () => {
  it('lists the shop\'s deployments with their revision history and resources', async () => {
    const { cluster } = play(undefined, 0);
    const deployments = await cluster.listDeployments('shop');
    expect(deployments.map((deployment) => deployment.name)).toHaveLength(10);
    expect(await cluster.listDeployments('default')).toEqual([]);
    const orders = await cluster.getDeployment('shop', 'order-service');
    expect(orders).toMatchObject({ replicas: 3, readyReplicas: 3, revision: 3, image: 'registry.shop.example/order-service:1.7.1', selector: { app: 'order-service' } });
    expect(orders.revisions.map((revision) => revision.image.split(':')[1])).toEqual(['1.6.2', '1.7.0', '1.7.1']);
    expect(orders.revisions.every((revision) => revision.replicaSet.startsWith('order-service-'))).toBe(true);
    expect(orders.resources).toEqual({ cpuRequestCores: 0.5, cpuLimitCores: 1, memoryRequestBytes: 256 * 2 ** 20, memoryLimitBytes: 768 * 2 ** 20 });
    await expect(cluster.getDeployment('shop', 'nope')).rejects.toThrow('deployment shop/nope not found');
  });

  it('lists running, ready pods named like a ReplicaSet\'s', async () => {
    const { cluster } = play(undefined, 0);
    const pods = await cluster.listPods('shop', 'cart');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.name).toMatch(/^cart-[a-z0-9]+-[a-z0-9]{5}$/);
      expect(pod).toMatchObject({ phase: 'Running', ready: true, restarts: 0, deployment: 'cart' });
    }
    expect(await cluster.listPods('shop')).toHaveLength(23);
  });
});

describe('bad-deploy', () => {
  it('shows the new revision, and a rollback ends the errors (callers recover a minute later)', async () => {
    const { cluster, metrics, clock } = play('bad-deploy', 15);
    const payment = await cluster.getDeployment('shop', 'payment');
    expect(payment).toMatchObject({ revision: 3, image: 'registry.shop.example/payment:2.5.0' });
    expect(payment.revisions.at(-1)?.changeCause).toBe('deploy payment 2.5.0: new card-token flow');
    expect(await metrics.instant('payment', 'error_rate')).toBeGreaterThan(0.3);
    const events = await cluster.listEvents('shop', 'payment');
    expect(events.some((event) => event.reason === 'ScalingReplicaSet' && event.message.includes('to 2'))).toBe(true);

    const dryRun = await cluster.rollback('shop', 'payment', undefined, { dryRun: true });
    expect(dryRun).toEqual({ dryRun: true, summary: 'would roll back shop/payment from revision 3 (2.5.0) to revision 2 (2.4.0) (dry run)' });
    expect((await cluster.getDeployment('shop', 'payment')).image).toBe('registry.shop.example/payment:2.5.0');

    const result = await cluster.rollback('shop', 'payment');
    expect(result.summary).toBe('rolled back shop/payment from revision 3 (2.5.0) to revision 2 (2.4.0)');
    expect(await cluster.getDeployment('shop', 'payment')).toMatchObject({ revision: 4, image: 'registry.shop.example/payment:2.4.0' });
    clock.advance(MINUTE);
    expect(await metrics.instant('payment', 'error_rate')).toBeLessThan(0.01);
    expect(await metrics.instant('checkout', 'error_rate')).toBeGreaterThan(0.1);
    clock.advance(2 * MINUTE);
    expect(await metrics.instant('checkout', 'error_rate')).toBeLessThan(0.02);
  });

  it('refuses a revision that does not exist, naming the available ones', async () => {
    const { cluster } = play('bad-deploy', 15);
    await expect(cluster.rollback('shop', 'payment', 9)).rejects.toMatchObject({
      code: 'AIOPS_NOT_FOUND',
      message: 'revision 9 of deployment shop/payment not found',
      hint: 'available revisions: 2, 1',
    });
    await expect(cluster.rollback('shop', 'payment', 9, { dryRun: true })).rejects.toThrow('revision 9 of deployment shop/payment not found');
  });
});

describe('traffic-surge', () => {
  it('scaling out lowers per-pod CPU and ends the saturation', async () => {
    const { cluster, world, metrics, clock } = play('traffic-surge', 20);
    const perPodBefore = world.snapshot('catalogue', clock.now()).pods.map((pod) => pod.cpuCores);
    expect(world.snapshot('catalogue', clock.now()).utilisation).toBeGreaterThan(1);
    const errorsBefore = (await metrics.instant('catalogue', 'error_rate'))!;
    expect(errorsBefore).toBeGreaterThan(0.1);

    expect(await cluster.scale('shop', 'catalogue', 8, { dryRun: true })).toEqual({ dryRun: true, summary: 'would scale shop/catalogue from 3 to 8 replicas (dry run)' });
    expect((await cluster.getDeployment('shop', 'catalogue')).replicas).toBe(3);

    expect((await cluster.scale('shop', 'catalogue', 8)).summary).toBe('scaled shop/catalogue from 3 to 8 replicas');
    clock.advance(MINUTE);
    const after = world.snapshot('catalogue', clock.now());
    expect(after.pods).toHaveLength(8);
    expect(Math.max(...after.pods.map((pod) => pod.cpuCores))).toBeLessThan(Math.min(...perPodBefore) * 0.7);
    expect(after.utilisation).toBeLessThan(0.8);
    expect(await metrics.instant('catalogue', 'error_rate')).toBeLessThan(0.01);
    expect(await cluster.listPods('shop', 'catalogue')).toHaveLength(8);
    clock.advance(2 * MINUTE);
    expect(await metrics.instant('frontend', 'error_rate')).toBeLessThan(0.02);
  });

  it('refuses a replica count that is not a whole number, dry run or not', async () => {
    const { cluster } = play('traffic-surge', 20);
    await expect(cluster.scale('shop', 'catalogue', -1)).rejects.toThrow('replicas: expected a whole number from 0 to 200');
    await expect(cluster.scale('shop', 'catalogue', 2.5, { dryRun: true })).rejects.toThrow('replicas: expected a whole number from 0 to 200');
  });
});

describe('crash-loop', () => {
  it('shows pods in CrashLoopBackOff with back-off events, and a rollback brings them back', async () => {
    const { cluster, metrics, clock } = play('crash-loop', 12);
    const pods = await cluster.listPods('shop', 'shipping');
    for (const pod of pods) {
      expect(pod).toMatchObject({ ready: false, waitingReason: 'CrashLoopBackOff', lastTerminationReason: 'Error' });
      expect(pod.restarts).toBeGreaterThanOrEqual(4);
    }
    expect((await cluster.getDeployment('shop', 'shipping')).readyReplicas).toBe(0);
    const backOff = (await cluster.listEvents('shop')).filter((event) => event.reason === 'BackOff');
    expect(backOff.length).toBe(2);
    expect(backOff[0]).toMatchObject({ type: 'Warning', involvedKind: 'Pod' });
    expect(await metrics.instant('shipping', 'error_rate')).toBe(1);

    await cluster.rollback('shop', 'shipping');
    clock.advance(MINUTE);
    const recovered = await cluster.listPods('shop', 'shipping');
    expect(recovered.every((pod) => pod.ready && pod.restarts === 0 && pod.waitingReason === undefined)).toBe(true);
    expect(await metrics.instant('shipping', 'error_rate')).toBeLessThan(0.01);
  });
});

describe('memory-leak', () => {
  it('ends in OOMKilled restarts; a restart frees memory for a while, a rollback to the old version ends it', async () => {
    const { cluster, world, metrics, clock } = play('memory-leak', 50);
    const pods = await cluster.listPods('shop', 'cart');
    expect(pods.every((pod) => pod.lastTerminationReason === 'OOMKilled' && pod.restarts >= 1)).toBe(true);
    expect((await cluster.listEvents('shop')).some((event) => event.reason === 'OOMKilling')).toBe(true);
    const leaking = (await metrics.instant('cart', 'memory'))!;

    await cluster.rolloutRestart('shop', 'cart');
    clock.advance(MINUTE);
    const restarted = (await metrics.instant('cart', 'memory'))!;
    expect(restarted).toBeLessThan(leaking);
    clock.advance(20 * MINUTE);
    expect(await metrics.instant('cart', 'memory')).toBeGreaterThan(restarted * 1.3);

    // As with kubectl, a plain rollback after a restart returns to the pre-restart revision: the same leaking version.
    expect((await cluster.rollback('shop', 'cart', undefined, { dryRun: true })).summary).toContain('(3.2.0)');
    const good = (await cluster.getDeployment('shop', 'cart')).revisions.find((revision) => revision.image.endsWith(':3.1.0'))!;
    await cluster.rollback('shop', 'cart', good.revision);
    expect(world.faultActiveAt(clock.now())).toBe(false);
    clock.advance(MINUTE);
    const afterRollback = (await metrics.instant('cart', 'memory'))!;
    clock.advance(60 * MINUTE);
    expect(Math.abs((await metrics.instant('cart', 'memory'))! / afterRollback - 1)).toBeLessThan(0.1);
  });
});

describe.each([
  ['db-pool-exhaustion', 'database', 'order-service'],
  ['slow-dependency', 'cache', 'cart'],
])('%s', (scenario, root, caller) => {
  it(`a rollout restart of ${root} ends it and ${caller} recovers`, async () => {
    const { cluster, metrics, clock, world } = play(scenario, 30);
    const slow = (await metrics.instant(caller, 'latency_p95'))!;
    const { metrics: healthyMetrics } = play(undefined, 34);
    const healthy = (await healthyMetrics.instant(caller, 'latency_p95'))!;
    expect(slow / healthy).toBeGreaterThan(2);

    expect((await cluster.rolloutRestart('shop', root, { dryRun: true })).dryRun).toBe(true);
    expect(world.faultActiveAt(clock.now())).toBe(true);
    await cluster.rolloutRestart('shop', root);
    expect(world.faultActiveAt(clock.now())).toBe(false);
    clock.advance(4 * MINUTE);
    expect(Math.abs((await metrics.instant(caller, 'latency_p95'))! / healthy - 1)).toBeLessThan(0.25);
  });
});

describe('deletePod', () => {
  it('replaces the pod with a new one and keeps the count; a dry run replaces nothing', async () => {
    const { cluster } = play(undefined, 0);
    const [first] = await cluster.listPods('shop', 'user');
    expect((await cluster.deletePod('shop', first!.name, { dryRun: true })).summary).toBe(`would delete pod shop/${first!.name} (dry run)`);
    expect((await cluster.listPods('shop', 'user')).map((pod) => pod.name)).toContain(first!.name);
    const result = await cluster.deletePod('shop', first!.name);
    const after = (await cluster.listPods('shop', 'user')).map((pod) => pod.name);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(first!.name);
    expect(result.summary).toMatch(new RegExp(`^deleted pod shop/${first!.name}; its ReplicaSet started user-`));
    await expect(cluster.deletePod('shop', 'user-nothere-abcde')).rejects.toThrow('pod shop/user-nothere-abcde not found');
  });
});
