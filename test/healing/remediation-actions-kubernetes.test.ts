import { afterEach, describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import type { RemediationAction, RemediationPlan, RemediationRequest } from '../../src/healing/remediation-action.js';
import { REMEDIATION_ACTIONS } from '../../src/healing/remediation-actions.js';
import type { ProposedAction } from '../../src/state/action-proposals.js';
import { KubernetesCluster } from '../../src/sources/kubernetes/kubernetes-cluster.js';
import { horizontalPodAutoscaler, shopObjects, startFakeKubernetes, valueAt, type FakeKubernetes, type JsonObject, type KubernetesObjects, type RecordedRequest } from '../fakes/kubernetes-api.js';

/**
 * The remediation actions (issue 15, point 2) against the fake Kubernetes API over real HTTP:
 * each one planned, previewed as a server-side dry run and run, with the exact requests the API
 * server receives and what it stores.
 */

const ORDER_IMAGE = 'registry.example.com/shop/order-service';
/** An hour or two after order-service 1.6.0 rolled out (2024-05-01T08:00Z in the fake's shop). */
const NOW = Date.parse('2024-05-01T10:00:00Z');
const HOUR = 3_600_000;
const RESTARTED_AT = '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt';
const CRASHING_POD = 'order-service-7f9b6d5c8-m9q7r';
const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/shop/deployments/order-service';
const SCALE_PATH = `${DEPLOYMENT_PATH}/scale`;

let fake: FakeKubernetes | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(initial?: Partial<KubernetesObjects>, readOnly = false) {
  fake = await startFakeKubernetes(initial);
  const cluster = new KubernetesCluster({ kubeConfig: fake.kubeConfig(readOnly ? fake.readOnlyToken : undefined), timeoutMilliseconds: 2_000, attempts: 2 });
  return { fake, cluster };
}

function action(name: ProposedAction): RemediationAction {
  const found = REMEDIATION_ACTIONS.get(name);
  if (!found) throw new Error(`no action ${name}`);
  return found;
}

const request = (name: ProposedAction, extra: Partial<RemediationRequest> = {}): RemediationRequest => ({
  action: name,
  service: 'order-service',
  namespace: 'shop',
  deployment: 'order-service',
  ...extra,
});

async function planned(name: ProposedAction, cluster: KubernetesCluster, extra: Partial<RemediationRequest> = {}, now = NOW): Promise<RemediationPlan> {
  const result = await action(name).plan(request(name, extra), cluster, now);
  if (!result.ok) throw new Error(result.problem);
  return result.plan;
}

/** Every request that is not a read: what could have changed the cluster. */
function writes(server: FakeKubernetes): RecordedRequest[] {
  return server.requests.filter((recorded) => recorded.method !== 'GET');
}

/** Only the writes made from now on. */
function writesFrom(server: FakeKubernetes): () => RecordedRequest[] {
  const seen = server.requests.length;
  return () => writes({ ...server, requests: server.requests.slice(seen) });
}

function named(objects: JsonObject[], name: string): JsonObject {
  const found = objects.find((object) => valueAt(object, '/metadata/namespace') === 'shop' && valueAt(object, '/metadata/name') === name);
  if (!found) throw new Error(`no object shop/${name}`);
  return found;
}

/**
 * The shop after a bad deploy and a restart: revision 3 brought 1.6.0, then `kubectl rollout
 * restart` made revision 4 with the same bad image. "The previous revision" is 3, still 1.6.0.
 */
function restartedAfterBadDeploy(): Partial<KubernetesObjects> {
  const { deployments, replicaSets } = shopObjects();
  const restartedAt = '2024-05-01T09:30:00Z';
  const badDeploy = named(replicaSets, 'order-service-7f9b6d5c8');
  const restart = structuredClone(badDeploy);
  const hash = '8a1b2c3d4';
  Object.assign(restart.metadata as JsonObject, {
    name: `order-service-${hash}`,
    uid: `uid-replicaset-shop-order-service-${hash}`,
    creationTimestamp: restartedAt,
    labels: { app: 'order-service', 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': '4' },
  });
  Object.assign(restart.spec as JsonObject, { selector: { matchLabels: { app: 'order-service', 'pod-template-hash': hash } } });
  Object.assign(valueAt(restart, '/spec/template/metadata') as JsonObject, {
    labels: { app: 'order-service', 'pod-template-hash': hash },
    annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt },
  });
  Object.assign(badDeploy.spec as JsonObject, { replicas: 0 });
  Object.assign(badDeploy.status as JsonObject, { replicas: 0, readyReplicas: 0, availableReplicas: 0 });
  const order = named(deployments, 'order-service');
  Object.assign(order.metadata as JsonObject, { generation: 4, annotations: { 'deployment.kubernetes.io/revision': '4' } });
  Object.assign(valueAt(order, '/spec/template/metadata') as JsonObject, { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } });
  return { deployments, replicaSets: [...replicaSets, restart] };
}

describe('scale against the Kubernetes API', () => {
  it('previews with one PATCH of the scale subresource as a dry run, then scales', async () => {
    const { fake, cluster } = await start();
    const plan = await planned('scale', cluster, { replicas: 5 });
    expect(plan.diff).toEqual(['replicas: 3 → 5']);
    expect(writes(fake)).toEqual([]);

    const previewWrites = writesFrom(fake);
    const preview = await action('scale').preview(plan, cluster);
    expect(preview).toEqual({ dryRun: true, summary: 'would scale shop/order-service from 3 to 5 replicas (dry run)' });
    expect(previewWrites()).toEqual([{ method: 'PATCH', path: SCALE_PATH, query: { dryRun: 'All' }, contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } }]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);

    const executeWrites = writesFrom(fake);
    const done = await action('scale').execute(plan, cluster, NOW);
    expect(done).toEqual({ dryRun: false, summary: 'scaled shop/order-service from 3 to 5 replicas' });
    expect(executeWrites()).toEqual([{ method: 'PATCH', path: SCALE_PATH, query: {}, contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } }]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(5);
  });

  it.each([7, 1, 3])('refuses %i replicas (the deployment runs 3, bounds 2 to 6) in one line, sending no write', async (replicas) => {
    const { fake, cluster } = await start();
    const result = await action('scale').plan(request('scale', { replicas }), cluster, NOW);

    expect(result.ok).toBe(false);
    const problem = (result as { problem: string }).problem;
    expect(problem).toMatch(/^replicas: /);
    expect(problem).not.toContain('\n');
    expect(writes(fake)).toEqual([]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);
  });
});

describe('scale under a HorizontalPodAutoscaler', () => {
  const HPA_PATH = '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers';
  /** order-service runs 3 (one approval: 2 to 6); its HPA, named apart from it, allows `minReplicas` to `maxReplicas`. */
  const withAutoscaler = (minReplicas: number, maxReplicas: number): Partial<KubernetesObjects> => ({
    horizontalPodAutoscalers: [horizontalPodAutoscaler({ namespace: 'shop', name: 'order-service-cpu', target: 'order-service', minReplicas, maxReplicas })],
  });

  it('refuses a count inside what one approval may set but above the HPA maximum, sending no write', async () => {
    const { fake, cluster } = await start(withAutoscaler(2, 4));

    expect(await action('scale').plan(request('scale', { replicas: 5 }), cluster, NOW)).toEqual({
      ok: false,
      problem: 'replicas: expected 2 to 4 for order-service (its HorizontalPodAutoscaler order-service-cpu allows 2 to 4), got 5',
    });
    expect(fake.requests.some((recorded) => recorded.method === 'GET' && recorded.path === HPA_PATH)).toBe(true);
    expect(writes(fake)).toEqual([]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);
  });

  it('plans and previews a count inside both, saying the HPA manages it', async () => {
    const { fake, cluster } = await start(withAutoscaler(2, 4));
    const plan = await planned('scale', cluster, { replicas: 4 });
    expect(plan.diff).toEqual(['replicas: 3 → 4', 'HorizontalPodAutoscaler order-service-cpu manages the count (2 to 4) and may move it at its next sync']);

    const previewWrites = writesFrom(fake);
    expect(await action('scale').preview(plan, cluster)).toEqual({ dryRun: true, summary: 'would scale shop/order-service from 3 to 4 replicas (dry run)' });
    expect(previewWrites()).toEqual([{ method: 'PATCH', path: SCALE_PATH, query: { dryRun: 'All' }, contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } }]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);
  });

  it('names both limits when one approval narrows the HPA range, and refuses outright when nothing fits', async () => {
    const wide = await start(withAutoscaler(1, 10));
    expect(await action('scale').plan(request('scale', { replicas: 8 }), wide.cluster, NOW)).toEqual({
      ok: false,
      problem: 'replicas: expected 2 to 6 for order-service (its HorizontalPodAutoscaler order-service-cpu allows 1 to 10; it runs 3 now and one approval at most doubles or halves it), got 8',
    });
    await wide.fake.close();

    // The HPA wants 8 to 12 while one approval may set 2 to 6: no count fits; the HPA is what to change.
    const apart = await start(withAutoscaler(8, 12));
    const refused = await action('scale').plan(request('scale', { replicas: 6 }), apart.cluster, NOW);
    expect(refused).toEqual({ ok: false, problem: expect.stringMatching(/^replicas: no count fits order-service: .*order-service-cpu allows 8 to 12; change the HorizontalPodAutoscaler instead, got 6$/) });
    expect(writes(apart.fake)).toEqual([]);
  });
});

describe('rollout restart against the Kubernetes API', () => {
  it('previews a merge patch of the restartedAt annotation as a dry run, storing nothing', async () => {
    const { fake, cluster } = await start();
    const plan = await planned('rollout-restart', cluster);

    const previewWrites = writesFrom(fake);
    const preview = await action('rollout-restart').preview(plan, cluster);
    expect(preview).toEqual({ dryRun: true, summary: 'would restart the pods of shop/order-service (dry run)' });
    expect(previewWrites()).toEqual([
      {
        method: 'PATCH',
        path: DEPLOYMENT_PATH,
        query: { dryRun: 'All' },
        contentType: 'application/merge-patch+json',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } } } } },
      },
    ]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', RESTARTED_AT)).toBe('2024-05-01T07:55:00Z');
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/metadata/generation')).toBe(3);
  });

  it('stamps the pod template with the approval time, and the same stamp twice restarts once', async () => {
    const { fake, cluster } = await start();
    const plan = await planned('rollout-restart', cluster);
    const stamp = Date.parse('2024-05-01T10:05:00.250Z');
    const stampText = new Date(stamp).toISOString();

    const executeWrites = writesFrom(fake);
    const done = await action('rollout-restart').execute(plan, cluster, stamp);
    expect(done).toEqual({ dryRun: false, summary: `restarted the pods of shop/order-service (rollout restart at ${stampText})` });
    const patch = { method: 'PATCH', path: DEPLOYMENT_PATH, query: {}, contentType: 'application/merge-patch+json', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': stampText } } } } } };
    expect(executeWrites()).toEqual([patch]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', RESTARTED_AT)).toBe(stampText);
    // The template changed, so the deployment controller would roll the pods: a new generation.
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/metadata/generation')).toBe(4);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/image')).toBe(`${ORDER_IMAGE}:1.6.0`);

    // Run again (a retry, or a resume after a crash): the same patch, and the template as it was.
    const againWrites = writesFrom(fake);
    await action('rollout-restart').execute(plan, cluster, stamp);
    expect(againWrites()).toEqual([patch]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', RESTARTED_AT)).toBe(stampText);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/metadata/generation')).toBe(4);
  });
});

describe('rollback against the Kubernetes API', () => {
  it('after a bad deploy and a restart, goes back by image to 1.5.0, not to the previous revision', async () => {
    const { fake, cluster } = await start(restartedAfterBadDeploy());
    // The control: "the previous revision" is 3, the same bad image.
    expect((await cluster.rollback('shop', 'order-service', undefined, { dryRun: true })).summary).toContain(`to revision 3 (${ORDER_IMAGE}:1.6.0)`);

    const plan = await planned('rollback', cluster);
    expect(plan.toRevision).toBe(2);
    expect(plan.request.toImage).toBe(`${ORDER_IMAGE}:1.5.0`);
    expect(plan.diff[0]).toBe(`image: ${ORDER_IMAGE}:1.6.0 → ${ORDER_IMAGE}:1.5.0`);

    const goodTemplate = structuredClone(fake.storedValue('replicaSets', 'shop', 'order-service-6c7d8e9f5', '/spec/template')) as { metadata: { labels: Record<string, string> } };
    delete goodTemplate.metadata.labels['pod-template-hash'];
    const badTemplate = structuredClone(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template'));

    const previewWrites = writesFrom(fake);
    const preview = await action('rollback').preview(plan, cluster);
    expect(preview).toEqual({ dryRun: true, summary: `would roll back shop/order-service from revision 4 (${ORDER_IMAGE}:1.6.0) to revision 2 (${ORDER_IMAGE}:1.5.0) (dry run)` });
    expect(previewWrites()).toEqual([
      { method: 'PATCH', path: DEPLOYMENT_PATH, query: { dryRun: 'All' }, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/template', value: goodTemplate }] },
    ]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template')).toEqual(badTemplate);

    const executeWrites = writesFrom(fake);
    const done = await action('rollback').execute(plan, cluster, NOW);
    expect(done.dryRun).toBe(false);
    expect(executeWrites()).toEqual([
      { method: 'PATCH', path: DEPLOYMENT_PATH, query: {}, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/template', value: goodTemplate }] },
    ]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/image')).toBe(`${ORDER_IMAGE}:1.5.0`);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template')).toEqual(goodTemplate);
    expect((await cluster.getDeployment('shop', 'order-service')).image).toBe(`${ORDER_IMAGE}:1.5.0`);
  });

  it('goes to the image asked for, resources included', async () => {
    const { fake, cluster } = await start(restartedAfterBadDeploy());
    const plan = await planned('rollback', cluster, { toImage: `${ORDER_IMAGE}:1.4.0` });
    expect(plan.toRevision).toBe(1);

    await action('rollback').execute(plan, cluster, NOW);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/image')).toBe(`${ORDER_IMAGE}:1.4.0`);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/resources/limits/memory')).toBe('384Mi');
  });

  it('refuses, sending no write, an image no revision keeps, the image already running, and a rollout older than 24 h', async () => {
    const { fake, cluster } = await start(restartedAfterBadDeploy());
    const rollback = action('rollback');

    expect(await rollback.plan(request('rollback', { toImage: `${ORDER_IMAGE}:0.0.1` }), cluster, NOW)).toEqual({
      ok: false,
      problem: `toImage: ${ORDER_IMAGE}:0.0.1 is in no kept revision of order-service (kept: ${ORDER_IMAGE}:1.4.0, ${ORDER_IMAGE}:1.5.0, ${ORDER_IMAGE}:1.6.0)`,
    });
    expect(await rollback.plan(request('rollback', { toImage: `${ORDER_IMAGE}:1.6.0` }), cluster, NOW)).toEqual({ ok: false, problem: `toImage: order-service already runs ${ORDER_IMAGE}:1.6.0` });
    // 1.6.0 rolled out at 08:00 (revision 3); the restart at 09:30 is no rollout.
    const badDeployAt = Date.parse('2024-05-01T08:00:00Z');
    expect((await rollback.plan(request('rollback'), cluster, badDeployAt + 23 * HOUR)).ok).toBe(true);
    expect(await rollback.plan(request('rollback'), cluster, badDeployAt + 25 * HOUR)).toEqual({ ok: false, problem: expect.stringMatching(/^order-service has had no rollout in the last 24 h/) });
    expect(writes(fake)).toEqual([]);
  });
});

describe('delete pod against the Kubernetes API', () => {
  it('previews a DELETE with dryRun=All that leaves the pod, then deletes it', async () => {
    const { fake, cluster } = await start();
    const plan = await planned('delete-pod', cluster, { pod: CRASHING_POD });
    expect(plan.diff).toEqual([`pod ${CRASHING_POD} (Running, CrashLoopBackOff, 7 restarts): deleted; the deployment starts a new one`]);
    const podPath = `/api/v1/namespaces/shop/pods/${CRASHING_POD}`;

    const previewWrites = writesFrom(fake);
    expect(await action('delete-pod').preview(plan, cluster)).toEqual({ dryRun: true, summary: `would delete pod shop/${CRASHING_POD} (dry run)` });
    expect(previewWrites().map(({ method, path, query, body }) => ({ method, path, query, body }))).toEqual([{ method: 'DELETE', path: podPath, query: { dryRun: 'All' }, body: undefined }]);
    expect(fake.find('pods', 'shop', CRASHING_POD)).toBeDefined();

    const executeWrites = writesFrom(fake);
    expect(await action('delete-pod').execute(plan, cluster, NOW)).toEqual({ dryRun: false, summary: `deleted pod shop/${CRASHING_POD}` });
    expect(executeWrites().map(({ method, path, query, body }) => ({ method, path, query, body }))).toEqual([{ method: 'DELETE', path: podPath, query: {}, body: undefined }]);
    expect(fake.find('pods', 'shop', CRASHING_POD)).toBeUndefined();
    expect(fake.find('pods', 'shop', 'order-service-7f9b6d5c8-x2k4p')).toBeDefined();
  });

  it("refuses another deployment's pod and a deployment's only pod, sending no DELETE", async () => {
    const { fake, cluster } = await start();
    const deletePod = action('delete-pod');

    const other = await deletePod.plan(request('delete-pod', { pod: 'payment-service-84b5c6d7f-4tnq2' }), cluster, NOW);
    expect(other).toEqual({ ok: false, problem: expect.stringMatching(/^pod: payment-service-84b5c6d7f-4tnq2 is not one of order-service's pods \(/) });
    const only = await deletePod.plan(request('delete-pod', { namespace: 'staging', pod: 'order-service-9a8b7c6d5-qq2lm' }), cluster, NOW);
    expect(only).toEqual({ ok: false, problem: expect.stringMatching(/^pod: order-service-9a8b7c6d5-qq2lm is order-service's only pod/) });

    expect(fake.requests.filter((recorded) => recorded.method === 'DELETE')).toEqual([]);
    expect(writes(fake)).toEqual([]);
    expect(fake.find('pods', 'shop', 'payment-service-84b5c6d7f-4tnq2')).toBeDefined();
    expect(fake.find('pods', 'staging', 'order-service-9a8b7c6d5-qq2lm')).toBeDefined();
  });
});

describe('a service account that may only read', () => {
  it.each<[ProposedAction, Partial<RemediationRequest>, string]>([
    ['scale', { replicas: 5 }, 'cannot patch resource "deployments/scale" in API group "apps"'],
    ['rollout-restart', {}, 'cannot patch resource "deployments" in API group "apps"'],
    ['rollback', {}, 'cannot patch resource "deployments" in API group "apps"'],
    ['delete-pod', { pod: CRASHING_POD }, 'cannot delete resource "pods" in API group ""'],
  ])('%s: plans, then fails to execute naming the missing permission, and nothing is stored', async (name, extra, missing) => {
    const { fake, cluster } = await start(restartedAfterBadDeploy(), true);
    const plan = await planned(name, cluster, extra);
    const before = structuredClone(fake.objects);

    const error = await action(name)
      .execute(plan, cluster, NOW)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );

    expect(error).toBeInstanceOf(AiopsError);
    const refusal = error as AiopsError;
    expect(refusal.code).toBe(ErrorCode.SourceUnavailable);
    expect(refusal.message).toContain('permission denied (HTTP 403');
    expect(refusal.message).toContain(missing);
    expect(refusal.hint).toContain('RBAC');
    // 403 is not retried: one refused write, and the store as it was.
    expect(writes(fake)).toHaveLength(1);
    expect(fake.objects).toEqual(before);
  });
});
