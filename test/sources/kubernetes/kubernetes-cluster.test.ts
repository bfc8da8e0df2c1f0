import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../../src/errors.js';
import { KubernetesCluster } from '../../../src/sources/kubernetes/kubernetes-cluster.js';
import { horizontalPodAutoscaler, startFakeKubernetes, type FakeKubernetes } from '../../fakes/kubernetes-api.js';

const MEBIBYTE = 1024 * 1024;
const ORDER_IMAGE = 'registry.example.com/shop/order-service';
const CRASHING_POD = 'order-service-7f9b6d5c8-m9q7r';
const OOM_KILLED_POD = 'order-service-7f9b6d5c8-z8w3n';

async function failure(promise: Promise<unknown>): Promise<AiopsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AiopsError);
    return error as AiopsError;
  }
  throw new Error('expected the call to fail');
}

let fake: FakeKubernetes;
let cluster: KubernetesCluster;

beforeEach(async () => {
  fake = await startFakeKubernetes();
  cluster = new KubernetesCluster({ kubeConfig: fake.kubeConfig(), timeoutMilliseconds: 2_000, attempts: 3 });
});

afterEach(async () => {
  await fake.close();
});

describe('KubernetesCluster reads', () => {
  it('lists the deployments of one namespace with revisions, resources and selector', async () => {
    const deployments = await cluster.listDeployments('shop');

    expect(deployments.map((deployment) => deployment.name).sort()).toEqual(['order-service', 'payment-service']);
    const order = deployments.find((deployment) => deployment.name === 'order-service');
    expect(order).toEqual({
      namespace: 'shop',
      name: 'order-service',
      replicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 3,
      image: `${ORDER_IMAGE}:1.6.0`,
      revision: 3,
      revisions: [
        { revision: 1, replicaSet: 'order-service-5d8f7c9b4', image: `${ORDER_IMAGE}:1.4.0`, createdAt: Date.parse('2024-04-02T09:00:00Z'), changeCause: 'deploy 1.4.0' },
        { revision: 2, replicaSet: 'order-service-6c7d8e9f5', image: `${ORDER_IMAGE}:1.5.0`, createdAt: Date.parse('2024-04-20T14:30:00Z'), changeCause: 'deploy 1.5.0' },
        { revision: 3, replicaSet: 'order-service-7f9b6d5c8', image: `${ORDER_IMAGE}:1.6.0`, createdAt: Date.parse('2024-05-01T08:00:00Z'), changeCause: 'deploy 1.6.0: new checkout flow' },
      ],
      resources: { cpuRequestCores: 0.25, cpuLimitCores: 1, memoryRequestBytes: 256 * MEBIBYTE, memoryLimitBytes: 512 * MEBIBYTE },
      selector: { app: 'order-service' },
    });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`).sort()).toEqual([
      'GET /apis/apps/v1/namespaces/shop/deployments',
      'GET /apis/apps/v1/namespaces/shop/replicasets',
    ]);
  });

  it('reads one deployment, asking only for the replicasets its selector matches', async () => {
    const payment = await cluster.getDeployment('shop', 'payment-service');

    expect(payment.replicas).toBe(2);
    expect(payment.revision).toBe(1);
    expect(payment.revisions).toEqual([
      { revision: 1, replicaSet: 'payment-service-84b5c6d7f', image: 'registry.example.com/shop/payment-service:2.3.1', createdAt: Date.parse('2024-04-10T11:00:00Z') },
    ]);
    expect(payment.resources).toEqual({ cpuRequestCores: 0.5, cpuLimitCores: 2, memoryRequestBytes: 1024 * MEBIBYTE, memoryLimitBytes: 2048 * MEBIBYTE });
    expect(fake.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: 'GET', path: '/apis/apps/v1/namespaces/shop/deployments/payment-service', query: {} },
      { method: 'GET', path: '/apis/apps/v1/namespaces/shop/replicasets', query: { labelSelector: 'app=payment-service' } },
    ]);
  });

  it('keeps namespaces apart', async () => {
    const staging = await cluster.getDeployment('staging', 'order-service');
    expect(staging.image).toBe(`${ORDER_IMAGE}:1.7.0-rc.1`);
    expect(staging.revisions.map((revision) => revision.replicaSet)).toEqual(['order-service-9a8b7c6d5']);
  });

  it('turns a 404 into a one-line not-found error without retrying', async () => {
    const error = await failure(cluster.getDeployment('shop', 'foo'));

    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.toOneLine()).toBe('deployment shop/foo not found');
    expect(fake.requests).toHaveLength(1);
  });

  it("lists a deployment's pods by its selector with status, restarts and reasons", async () => {
    const pods = await cluster.listPods('shop', 'order-service');

    expect(fake.requests.find((request) => request.path === '/api/v1/namespaces/shop/pods')?.query).toEqual({ labelSelector: 'app=order-service' });
    expect(pods.map((pod) => pod.name).sort()).toEqual(['order-service-7f9b6d5c8-m9q7r', 'order-service-7f9b6d5c8-x2k4p', 'order-service-7f9b6d5c8-z8w3n']);
    const crashing = pods.find((pod) => pod.name === CRASHING_POD);
    expect(crashing).toEqual({
      namespace: 'shop',
      name: CRASHING_POD,
      deployment: 'order-service',
      phase: 'Running',
      ready: false,
      restarts: 7,
      waitingReason: 'CrashLoopBackOff',
      lastTerminationReason: 'Error',
      node: 'worker-2',
      startedAt: Date.parse('2024-05-01T08:01:05Z'),
      resources: { cpuRequestCores: 0.25, cpuLimitCores: 1, memoryRequestBytes: 256 * MEBIBYTE, memoryLimitBytes: 512 * MEBIBYTE },
    });
    const oomKilled = pods.find((pod) => pod.name === OOM_KILLED_POD);
    expect(oomKilled).toMatchObject({ ready: true, restarts: 2, lastTerminationReason: 'OOMKilled', node: 'worker-3' });
    expect(oomKilled?.waitingReason).toBeUndefined();
  });

  it('lists every pod of a namespace and finds each one its deployment through the owner replicaset', async () => {
    const pods = await cluster.listPods('shop');

    const deploymentOf = Object.fromEntries(pods.map((pod) => [pod.name, pod.deployment ?? null]));
    expect(deploymentOf).toEqual({
      'order-service-7f9b6d5c8-x2k4p': 'order-service',
      'order-service-7f9b6d5c8-m9q7r': 'order-service',
      'order-service-7f9b6d5c8-z8w3n': 'order-service',
      'payment-service-84b5c6d7f-4tnq2': 'payment-service',
      'payment-service-84b5c6d7f-v7hxs': 'payment-service',
      'checkout-smoke-test': null,
    });
    const smoke = pods.find((pod) => pod.name === 'checkout-smoke-test');
    expect(smoke).toMatchObject({ phase: 'Succeeded', ready: false, restarts: 0, resources: {} });
  });

  it('fails to list pods of a deployment that does not exist', async () => {
    const error = await failure(cluster.listPods('shop', 'ghost'));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('deployment shop/ghost not found');
  });

  it('lists events newest first, using eventTime when lastTimestamp is absent', async () => {
    const events = await cluster.listEvents('shop');

    expect(events.map((event) => event.reason)).toEqual(['Scheduled', 'BackOff', 'Unhealthy', 'Pulled', 'Started', 'ScalingReplicaSet']);
    expect(events[0]).toEqual({
      namespace: 'shop',
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned shop/payment-service-84b5c6d7f-v7hxs to worker-2',
      involvedKind: 'Pod',
      involvedName: 'payment-service-84b5c6d7f-v7hxs',
      count: 1,
      lastTimestamp: Date.parse('2024-05-01T09:59:00Z'),
    });
    expect(events[1]).toMatchObject({ type: 'Warning', reason: 'BackOff', count: 42, involvedName: CRASHING_POD, lastTimestamp: Date.parse('2024-05-01T09:58:00Z') });
    expect(fake.requests[0]?.query).toEqual({});
  });

  it('lists the events of one object through a field selector', async () => {
    const events = await cluster.listEvents('shop', CRASHING_POD);

    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/shop/events', query: { fieldSelector: `involvedObject.name=${CRASHING_POD}` } });
    expect(events.map((event) => `${event.type} ${event.reason}`)).toEqual(['Warning BackOff', 'Warning Unhealthy', 'Normal Pulled']);
    expect(events.every((event) => event.involvedName === CRASHING_POD)).toBe(true);
  });
});

describe('KubernetesCluster autoscalers', () => {
  const listPath = '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers';

  it('finds the HorizontalPodAutoscaler by its scale target, not by its name', async () => {
    fake.objects.horizontalPodAutoscalers.push(
      // Named like the deployment but scaling another one: not order-service's.
      horizontalPodAutoscaler({ namespace: 'shop', name: 'order-service', target: 'order-service-canary', minReplicas: 1, maxReplicas: 2 }),
      horizontalPodAutoscaler({ namespace: 'shop', name: 'order-service-cpu', target: 'order-service', minReplicas: 2, maxReplicas: 6 }),
      horizontalPodAutoscaler({ namespace: 'staging', name: 'order-service-cpu', target: 'order-service', minReplicas: 1, maxReplicas: 3 }),
    );

    expect(await cluster.getAutoscaler('shop', 'order-service')).toEqual({ name: 'order-service-cpu', minReplicas: 2, maxReplicas: 6 });
    expect(fake.requests.map(({ method, path, query }) => ({ method, path, query }))).toEqual([{ method: 'GET', path: listPath, query: {} }]);
    expect(await cluster.getAutoscaler('staging', 'order-service')).toEqual({ name: 'order-service-cpu', minReplicas: 1, maxReplicas: 3 });
  });

  it('takes minReplicas as 1 when the HorizontalPodAutoscaler leaves it out, as Kubernetes does', async () => {
    fake.objects.horizontalPodAutoscalers.push(horizontalPodAutoscaler({ namespace: 'shop', name: 'payment', target: 'payment-service', maxReplicas: 4 }));

    expect(await cluster.getAutoscaler('shop', 'payment-service')).toEqual({ name: 'payment', minReplicas: 1, maxReplicas: 4 });
  });

  it('answers undefined when no HorizontalPodAutoscaler scales the deployment', async () => {
    expect(await cluster.getAutoscaler('shop', 'order-service')).toBeUndefined();
    expect(await cluster.getAutoscaler('nowhere', 'order-service')).toBeUndefined();
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${listPath}`, 'GET /apis/autoscaling/v2/namespaces/nowhere/horizontalpodautoscalers']);
  });
});

describe('KubernetesCluster writes', () => {
  const scalePath = '/apis/apps/v1/namespaces/shop/deployments/order-service/scale';
  const deploymentPath = '/apis/apps/v1/namespaces/shop/deployments/order-service';

  it('scales as a dry run: PATCH .../scale?dryRun=All as a merge patch, nothing stored', async () => {
    const result = await cluster.scale('shop', 'order-service', 5, { dryRun: true });

    expect(result).toEqual({ dryRun: true, summary: 'would scale shop/order-service from 3 to 5 replicas (dry run)' });
    // The current count comes from the deployment itself, so RBAC needs no get on deployments/scale.
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${deploymentPath}`, `PATCH ${scalePath}`]);
    const patch = fake.requests.find((request) => request.method === 'PATCH');
    expect(patch).toEqual({ method: 'PATCH', path: scalePath, query: { dryRun: 'All' }, contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } });
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);
  });

  it('scales for real', async () => {
    const result = await cluster.scale('shop', 'order-service', 5);

    expect(result).toEqual({ dryRun: false, summary: 'scaled shop/order-service from 3 to 5 replicas' });
    const patch = fake.requests.find((request) => request.method === 'PATCH');
    expect(patch).toMatchObject({ path: scalePath, query: {}, contentType: 'application/merge-patch+json' });
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(5);
    expect((await cluster.getDeployment('shop', 'order-service')).replicas).toBe(5);
  });

  it.each([-1, 2.5, Number.NaN])('refuses to scale to %s replicas without asking the server', async (replicas) => {
    const error = await failure(cluster.scale('shop', 'order-service', replicas));
    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(error.message).toContain('replicas');
    expect(fake.requests).toHaveLength(0);
  });

  it('fails to scale a deployment that does not exist', async () => {
    const error = await failure(cluster.scale('shop', 'ghost', 2));
    expect(error.toOneLine()).toBe('deployment shop/ghost not found');
  });

  it('restarts as a dry run: the restartedAt annotation is sent but not stored', async () => {
    const result = await cluster.rolloutRestart('shop', 'order-service', { dryRun: true });

    expect(result).toEqual({ dryRun: true, summary: 'would restart the pods of shop/order-service (dry run)' });
    expect(fake.requests).toHaveLength(1);
    const patch = fake.requests[0];
    expect(patch).toMatchObject({ method: 'PATCH', path: deploymentPath, query: { dryRun: 'All' }, contentType: 'application/merge-patch+json' });
    const sent = (patch?.body as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;
    expect(Object.keys(sent)).toEqual(['kubectl.kubernetes.io/restartedAt']);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt')).toBe('2024-05-01T07:55:00Z');
  });

  it('restarts for real by stamping the pod template with the current time', async () => {
    const before = Date.now();
    const result = await cluster.rolloutRestart('shop', 'order-service');
    const after = Date.now();

    const stamped = fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt');
    expect(typeof stamped).toBe('string');
    expect(Date.parse(stamped as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(stamped as string)).toBeLessThanOrEqual(after);
    expect(result).toEqual({ dryRun: false, summary: `restarted the pods of shop/order-service (rollout restart at ${stamped as string})` });
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/image')).toBe(`${ORDER_IMAGE}:1.6.0`);
  });

  it('rolls back as a dry run: a JSON patch replacing the template, nothing stored', async () => {
    const result = await cluster.rollback('shop', 'order-service', undefined, { dryRun: true });

    expect(result).toEqual({
      dryRun: true,
      summary: `would roll back shop/order-service from revision 3 (${ORDER_IMAGE}:1.6.0) to revision 2 (${ORDER_IMAGE}:1.5.0) (dry run)`,
    });
    const patch = fake.requests.find((request) => request.method === 'PATCH');
    expect(patch).toMatchObject({ path: deploymentPath, query: { dryRun: 'All' }, contentType: 'application/json-patch+json' });
    const operations = patch?.body as Array<{ op: string; path: string; value: { metadata: { labels: Record<string, string> } } }>;
    expect(operations.map(({ op, path }) => ({ op, path }))).toEqual([{ op: 'replace', path: '/spec/template' }]);
    expect(operations[0]?.value.metadata.labels).toEqual({ app: 'order-service' });
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/image')).toBe(`${ORDER_IMAGE}:1.6.0`);
  });

  it('rolls back for real to exactly the previous revision’s template', async () => {
    const result = await cluster.rollback('shop', 'order-service');

    expect(result.summary).toBe(`rolled back shop/order-service from revision 3 (${ORDER_IMAGE}:1.6.0) to revision 2 (${ORDER_IMAGE}:1.5.0)`);
    const template = fake.storedValue('deployments', 'shop', 'order-service', '/spec/template');
    const revisionTwo = structuredClone(fake.storedValue('replicaSets', 'shop', 'order-service-6c7d8e9f5', '/spec/template')) as { metadata: { labels: Record<string, string> } };
    delete revisionTwo.metadata.labels['pod-template-hash'];
    expect(template).toEqual(revisionTwo);
    // What a merge patch would have left behind is gone: the newer env var and the restart stamp.
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/spec/containers/0/env')).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/template/metadata/annotations')).toBeUndefined();
  });

  it('rolls back to a named revision, resources included', async () => {
    await cluster.rollback('shop', 'order-service', 1);

    const deployment = await cluster.getDeployment('shop', 'order-service');
    expect(deployment.image).toBe(`${ORDER_IMAGE}:1.4.0`);
    expect(deployment.resources).toEqual({ cpuRequestCores: 0.25, cpuLimitCores: 0.5, memoryRequestBytes: 256 * MEBIBYTE, memoryLimitBytes: 384 * MEBIBYTE });
  });

  it('names the available revisions when the asked one does not exist, and sends no patch', async () => {
    const error = await failure(cluster.rollback('shop', 'order-service', 7));

    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('revision 7 of deployment shop/order-service not found (available revisions: 1, 2, 3)');
    expect(fake.requests.some((request) => request.method === 'PATCH')).toBe(false);
  });

  it('fails when there is no earlier revision to go back to', async () => {
    const error = await failure(cluster.rollback('shop', 'payment-service'));

    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toContain('no revision before 1');
    expect(fake.requests.some((request) => request.method === 'PATCH')).toBe(false);
  });

  it('does nothing when asked to roll back to the revision already running', async () => {
    const result = await cluster.rollback('shop', 'order-service', 3);

    expect(result).toEqual({ dryRun: false, summary: 'shop/order-service already runs revision 3; nothing to roll back' });
    expect(fake.requests.some((request) => request.method === 'PATCH')).toBe(false);
  });

  it('deletes a pod as a dry run: DELETE ?dryRun=All, the pod stays', async () => {
    const result = await cluster.deletePod('shop', CRASHING_POD, { dryRun: true });

    expect(result).toEqual({ dryRun: true, summary: `would delete pod shop/${CRASHING_POD} (dry run)` });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'DELETE', path: `/api/v1/namespaces/shop/pods/${CRASHING_POD}`, query: { dryRun: 'All' }, body: undefined });
    expect(fake.find('pods', 'shop', CRASHING_POD)).toBeDefined();
  });

  it('deletes a pod for real', async () => {
    const result = await cluster.deletePod('shop', CRASHING_POD);

    expect(result).toEqual({ dryRun: false, summary: `deleted pod shop/${CRASHING_POD}` });
    expect(fake.requests[0]).toMatchObject({ method: 'DELETE', query: {} });
    expect(fake.find('pods', 'shop', CRASHING_POD)).toBeUndefined();
    expect((await cluster.listPods('shop', 'order-service')).map((pod) => pod.name)).not.toContain(CRASHING_POD);
  });

  it('fails to delete a pod that does not exist', async () => {
    const error = await failure(cluster.deletePod('shop', 'ghost'));
    expect(error.toOneLine()).toBe('pod shop/ghost not found');
  });
});

describe('KubernetesCluster failures', () => {
  it('reports a refused token as the source being unavailable, without retrying', async () => {
    const intruder = new KubernetesCluster({ kubeConfig: fake.kubeConfig('wrong-token'), attempts: 3 });
    const error = await failure(intruder.getDeployment('shop', 'order-service'));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.backend).toBe('kubernetes');
    expect(error.message).toMatch(/^kubernetes: read deployment shop\/order-service: the credentials were refused \(HTTP 401/);
    expect(error.hint).toContain('RBAC');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports an RBAC refusal of a write with what the service account lacks', async () => {
    const readOnly = new KubernetesCluster({ kubeConfig: fake.kubeConfig(fake.readOnlyToken) });
    const error = await failure(readOnly.scale('shop', 'order-service', 6));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toContain('permission denied (HTTP 403');
    expect(error.message).toContain('cannot patch resource "deployments/scale"');
    expect(error.hint).toContain('patch on deployments');
    expect(fake.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(3);
  });

  it('retries a 503 and succeeds', async () => {
    fake.failNext(1);
    const deployment = await cluster.getDeployment('shop', 'order-service');

    expect(deployment.revision).toBe(3);
    expect(fake.requests.map((request) => request.path)).toEqual([
      '/apis/apps/v1/namespaces/shop/deployments/order-service',
      '/apis/apps/v1/namespaces/shop/deployments/order-service',
      '/apis/apps/v1/namespaces/shop/replicasets',
    ]);
  });

  it('gives up after the configured attempts, quoting the API server', async () => {
    fake.failNext(10);
    const impatient = new KubernetesCluster({ kubeConfig: fake.kubeConfig(), attempts: 2 });
    const error = await failure(impatient.getDeployment('shop', 'order-service'));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toBe('kubernetes: read deployment shop/order-service failed: HTTP 503: the server is currently unable to handle the request');
    expect(fake.requests).toHaveLength(2);
  });

  it('names kubernetes and KUBECONFIG when the API server cannot be reached', async () => {
    const gone = await startFakeKubernetes();
    const kubeConfig = gone.kubeConfig();
    await gone.close();
    const unreachable = new KubernetesCluster({ kubeConfig, timeoutMilliseconds: 1_000, attempts: 2 });

    const error = await failure(unreachable.listEvents('shop'));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toMatch(/^kubernetes: list events in shop failed: .*ECONNREFUSED/);
    expect(error.toOneLine()).toContain('check KUBECONFIG and that the API server is reachable');
  });

  it('times out an API server that never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'silent', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }, { name: 'bot', token: fake.token });
    const slow = new KubernetesCluster({ kubeConfig, timeoutMilliseconds: 200, attempts: 2 });
    try {
      const error = await failure(slow.listDeployments('shop'));
      expect(error.code).toBe(ErrorCode.SourceTimeout);
      expect(error.message).toContain('kubernetes');
      expect(error.hint).toContain('KUBECONFIG');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
