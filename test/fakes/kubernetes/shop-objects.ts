import type { JsonObject } from './json-patch.js';

/** What the fake API server holds, by collection; plain JSON as the API server would send it. */
export interface KubernetesObjects {
  deployments: JsonObject[];
  replicaSets: JsonObject[];
  pods: JsonObject[];
  events: JsonObject[];
  /** HorizontalPodAutoscalers (autoscaling/v2); the shop has none unless a test adds one with `horizontalPodAutoscaler`. */
  horizontalPodAutoscalers: JsonObject[];
}

const REGISTRY = 'registry.example.com/shop';

interface TemplateSpec {
  app: string;
  image: string;
  hash?: string;
  resources: JsonObject;
  env?: JsonObject[];
  annotations?: Record<string, string>;
}

function podTemplate(spec: TemplateSpec): JsonObject {
  const labels: Record<string, string> = { app: spec.app };
  if (spec.hash) labels['pod-template-hash'] = spec.hash;
  const container: JsonObject = {
    name: spec.app,
    image: spec.image,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: spec.resources,
  };
  if (spec.env) container.env = spec.env;
  const metadata: JsonObject = { labels };
  if (spec.annotations) metadata.annotations = spec.annotations;
  return { metadata, spec: { containers: [container], restartPolicy: 'Always' } };
}

interface DeploymentSpec extends TemplateSpec {
  namespace: string;
  revision: number;
  replicas: number;
  ready: number;
}

function deployment(spec: DeploymentSpec): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.app,
      namespace: spec.namespace,
      uid: `uid-deployment-${spec.namespace}-${spec.app}`,
      resourceVersion: '1000',
      generation: spec.revision,
      creationTimestamp: '2024-04-02T09:00:00Z',
      labels: { app: spec.app },
      annotations: { 'deployment.kubernetes.io/revision': String(spec.revision) },
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: spec.app } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      template: podTemplate({ ...spec, hash: undefined }),
    },
    status: {
      observedGeneration: spec.revision,
      replicas: spec.replicas,
      readyReplicas: spec.ready,
      availableReplicas: spec.ready,
      updatedReplicas: spec.replicas,
    },
  };
}

interface ReplicaSetSpec extends TemplateSpec {
  namespace: string;
  hash: string;
  revision: number;
  replicas: number;
  createdAt: string;
  changeCause?: string;
}

function replicaSet(spec: ReplicaSetSpec): JsonObject {
  const annotations: Record<string, string> = { 'deployment.kubernetes.io/revision': String(spec.revision) };
  if (spec.changeCause) annotations['kubernetes.io/change-cause'] = spec.changeCause;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${spec.app}-${spec.hash}`,
      namespace: spec.namespace,
      uid: `uid-replicaset-${spec.namespace}-${spec.app}-${spec.hash}`,
      resourceVersion: '1000',
      creationTimestamp: spec.createdAt,
      labels: { app: spec.app, 'pod-template-hash': spec.hash },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: spec.app,
          uid: `uid-deployment-${spec.namespace}-${spec.app}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: spec.app, 'pod-template-hash': spec.hash } },
      template: podTemplate(spec),
    },
    status: { replicas: spec.replicas, readyReplicas: spec.replicas, availableReplicas: spec.replicas },
  };
}

interface PodSpec {
  namespace: string;
  name: string;
  app: string;
  /** The owning ReplicaSet; absent for a bare pod. */
  replicaSet?: string;
  phase: string;
  ready: boolean;
  node: string;
  startedAt: string;
  restarts: number;
  resources: JsonObject;
  image: string;
  state: JsonObject;
  lastState?: JsonObject;
}

function pod(spec: PodSpec): JsonObject {
  const metadata: JsonObject = {
    name: spec.name,
    namespace: spec.namespace,
    uid: `uid-pod-${spec.namespace}-${spec.name}`,
    resourceVersion: '1000',
    creationTimestamp: spec.startedAt,
    labels: { app: spec.app },
  };
  if (spec.replicaSet) {
    metadata.labels = { app: spec.app, 'pod-template-hash': spec.replicaSet.slice(spec.app.length + 1) };
    metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: spec.replicaSet, uid: `uid-replicaset-${spec.namespace}-${spec.replicaSet}`, controller: true },
    ];
  }
  const readyStatus = spec.ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { nodeName: spec.node, containers: [{ name: spec.app, image: spec.image, resources: spec.resources }] },
    status: {
      phase: spec.phase,
      startTime: spec.startedAt,
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: readyStatus },
        { type: 'ContainersReady', status: readyStatus },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: spec.app,
          image: spec.image,
          ready: spec.ready,
          restartCount: spec.restarts,
          state: spec.state,
          lastState: spec.lastState ?? {},
        },
      ],
    },
  };
}

interface EventSpec {
  namespace: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  kind: string;
  involvedName: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
}

function event(spec: EventSpec): JsonObject {
  const result: JsonObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: spec.name, namespace: spec.namespace, resourceVersion: '1000' },
    involvedObject: { kind: spec.kind, name: spec.involvedName, namespace: spec.namespace },
    type: spec.type,
    reason: spec.reason,
    message: spec.message,
    source: { component: spec.kind === 'Deployment' ? 'deployment-controller' : 'kubelet' },
  };
  if (spec.count !== undefined) result.count = spec.count;
  if (spec.lastTimestamp) {
    result.firstTimestamp = spec.lastTimestamp;
    result.lastTimestamp = spec.lastTimestamp;
  }
  if (spec.eventTime) result.eventTime = spec.eventTime;
  return result;
}

export interface HorizontalPodAutoscalerSpec {
  namespace: string;
  name: string;
  /** The Deployment it scales (spec.scaleTargetRef). */
  target: string;
  /** Left out of the spec when undefined, as Kubernetes allows (it defaults to 1). */
  minReplicas?: number;
  maxReplicas: number;
}

/** A HorizontalPodAutoscaler scaling a Deployment on CPU, as `kubectl autoscale` makes one. */
export function horizontalPodAutoscaler(spec: HorizontalPodAutoscalerSpec): JsonObject {
  const hpaSpec: JsonObject = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.target },
    maxReplicas: spec.maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
  };
  if (spec.minReplicas !== undefined) hpaSpec.minReplicas = spec.minReplicas;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: spec.name, namespace: spec.namespace, uid: `uid-hpa-${spec.namespace}-${spec.name}`, resourceVersion: '1000', creationTimestamp: '2024-04-02T09:00:00Z' },
    spec: hpaSpec,
  };
}

const ORDER_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const PAYMENT_RESOURCES = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };
const RUNNING: JsonObject = { running: { startedAt: '2024-05-01T08:01:10Z' } };

/**
 * A namespace `shop` in trouble: order-service at revision 3 (1.6.0) with one pod in
 * CrashLoopBackOff and one OOMKilled earlier, two older revisions to roll back to, a healthy
 * payment-service, a bare pod, and the events that tell the story. A namespace `staging` holds a
 * same-named deployment so tests can tell namespaces apart.
 */
export function shopObjects(): KubernetesObjects {
  const orderImage = (version: string) => `${REGISTRY}/order-service:${version}`;
  const orderEnvironment = [{ name: 'LOG_LEVEL', value: 'info' }];
  const currentEnvironment = [...orderEnvironment, { name: 'NEW_CHECKOUT_FLOW', value: 'true' }];
  const restartedAt = { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T07:55:00Z' };
  const shop = 'shop';
  return {
    deployments: [
      deployment({ namespace: shop, app: 'order-service', image: orderImage('1.6.0'), revision: 3, replicas: 3, ready: 2, resources: ORDER_RESOURCES, env: currentEnvironment, annotations: restartedAt }),
      deployment({ namespace: shop, app: 'payment-service', image: `${REGISTRY}/payment-service:2.3.1`, revision: 1, replicas: 2, ready: 2, resources: PAYMENT_RESOURCES }),
      deployment({ namespace: 'staging', app: 'order-service', image: orderImage('1.7.0-rc.1'), revision: 1, replicas: 1, ready: 1, resources: ORDER_RESOURCES }),
    ],
    replicaSets: [
      replicaSet({ namespace: shop, app: 'order-service', hash: '5d8f7c9b4', revision: 1, replicas: 0, createdAt: '2024-04-02T09:00:00Z', changeCause: 'deploy 1.4.0', image: orderImage('1.4.0'), resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '384Mi' } } }),
      replicaSet({ namespace: shop, app: 'order-service', hash: '6c7d8e9f5', revision: 2, replicas: 0, createdAt: '2024-04-20T14:30:00Z', changeCause: 'deploy 1.5.0', image: orderImage('1.5.0'), resources: ORDER_RESOURCES, env: orderEnvironment }),
      replicaSet({ namespace: shop, app: 'order-service', hash: '7f9b6d5c8', revision: 3, replicas: 3, createdAt: '2024-05-01T08:00:00Z', changeCause: 'deploy 1.6.0: new checkout flow', image: orderImage('1.6.0'), resources: ORDER_RESOURCES, env: currentEnvironment, annotations: restartedAt }),
      replicaSet({ namespace: shop, app: 'payment-service', hash: '84b5c6d7f', revision: 1, replicas: 2, createdAt: '2024-04-10T11:00:00Z', image: `${REGISTRY}/payment-service:2.3.1`, resources: PAYMENT_RESOURCES }),
      replicaSet({ namespace: 'staging', app: 'order-service', hash: '9a8b7c6d5', revision: 1, replicas: 1, createdAt: '2024-05-01T06:00:00Z', image: orderImage('1.7.0-rc.1'), resources: ORDER_RESOURCES }),
    ],
    pods: [
      pod({ namespace: shop, name: 'order-service-7f9b6d5c8-x2k4p', app: 'order-service', replicaSet: 'order-service-7f9b6d5c8', phase: 'Running', ready: true, node: 'worker-1', startedAt: '2024-05-01T08:01:00Z', restarts: 0, resources: ORDER_RESOURCES, image: orderImage('1.6.0'), state: RUNNING }),
      pod({
        namespace: shop, name: 'order-service-7f9b6d5c8-m9q7r', app: 'order-service', replicaSet: 'order-service-7f9b6d5c8', phase: 'Running', ready: false, node: 'worker-2', startedAt: '2024-05-01T08:01:05Z', restarts: 7, resources: ORDER_RESOURCES, image: orderImage('1.6.0'),
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=order-service' } },
        lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: '2024-05-01T09:52:00Z', finishedAt: '2024-05-01T09:52:04Z' } },
      }),
      pod({
        namespace: shop, name: 'order-service-7f9b6d5c8-z8w3n', app: 'order-service', replicaSet: 'order-service-7f9b6d5c8', phase: 'Running', ready: true, node: 'worker-3', startedAt: '2024-05-01T08:01:10Z', restarts: 2, resources: ORDER_RESOURCES, image: orderImage('1.6.0'),
        state: RUNNING,
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: '2024-05-01T09:10:00Z', finishedAt: '2024-05-01T09:39:58Z' } },
      }),
      pod({ namespace: shop, name: 'payment-service-84b5c6d7f-4tnq2', app: 'payment-service', replicaSet: 'payment-service-84b5c6d7f', phase: 'Running', ready: true, node: 'worker-1', startedAt: '2024-04-10T11:01:00Z', restarts: 0, resources: PAYMENT_RESOURCES, image: `${REGISTRY}/payment-service:2.3.1`, state: RUNNING }),
      pod({ namespace: shop, name: 'payment-service-84b5c6d7f-v7hxs', app: 'payment-service', replicaSet: 'payment-service-84b5c6d7f', phase: 'Running', ready: true, node: 'worker-2', startedAt: '2024-04-10T11:01:30Z', restarts: 1, resources: PAYMENT_RESOURCES, image: `${REGISTRY}/payment-service:2.3.1`, state: RUNNING }),
      pod({ namespace: shop, name: 'checkout-smoke-test', app: 'checkout-smoke-test', phase: 'Succeeded', ready: false, node: 'worker-3', startedAt: '2024-05-01T08:10:00Z', restarts: 0, resources: {}, image: `${REGISTRY}/smoke:1.0`, state: { terminated: { reason: 'Completed', exitCode: 0 } } }),
      pod({ namespace: 'staging', name: 'order-service-9a8b7c6d5-qq2lm', app: 'order-service', replicaSet: 'order-service-9a8b7c6d5', phase: 'Running', ready: true, node: 'worker-4', startedAt: '2024-05-01T06:01:00Z', restarts: 0, resources: ORDER_RESOURCES, image: orderImage('1.7.0-rc.1'), state: RUNNING }),
    ],
    events: [
      event({ namespace: shop, name: 'order-service.17c1a1', type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set order-service-7f9b6d5c8 to 3', kind: 'Deployment', involvedName: 'order-service', count: 1, lastTimestamp: '2024-05-01T08:00:05Z' }),
      event({ namespace: shop, name: 'order-service-7f9b6d5c8-m9q7r.17c1a2', type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container order-service in pod order-service-7f9b6d5c8-m9q7r_shop(uid-pod-shop-order-service-7f9b6d5c8-m9q7r)', kind: 'Pod', involvedName: 'order-service-7f9b6d5c8-m9q7r', count: 42, lastTimestamp: '2024-05-01T09:58:00Z' }),
      event({ namespace: shop, name: 'order-service-7f9b6d5c8-m9q7r.17c1a3', type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', kind: 'Pod', involvedName: 'order-service-7f9b6d5c8-m9q7r', count: 17, lastTimestamp: '2024-05-01T09:57:30Z' }),
      event({ namespace: shop, name: 'order-service-7f9b6d5c8-m9q7r.17c1a4', type: 'Normal', reason: 'Pulled', message: `Container image "${orderImage('1.6.0')}" already present on machine`, kind: 'Pod', involvedName: 'order-service-7f9b6d5c8-m9q7r', count: 8, lastTimestamp: '2024-05-01T09:52:00Z' }),
      event({ namespace: shop, name: 'order-service-7f9b6d5c8-z8w3n.17c1a5', type: 'Normal', reason: 'Started', message: 'Started container order-service', kind: 'Pod', involvedName: 'order-service-7f9b6d5c8-z8w3n', count: 3, lastTimestamp: '2024-05-01T09:40:00Z' }),
      // Written through events.k8s.io (the scheduler does): only eventTime is set, no count.
      event({ namespace: shop, name: 'payment-service-84b5c6d7f-v7hxs.17c1a6', type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned shop/payment-service-84b5c6d7f-v7hxs to worker-2', kind: 'Pod', involvedName: 'payment-service-84b5c6d7f-v7hxs', eventTime: '2024-05-01T09:59:00.000000Z' }),
      event({ namespace: 'staging', name: 'order-service.18d2b1', type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set order-service-9a8b7c6d5 to 1', kind: 'Deployment', involvedName: 'order-service', count: 1, lastTimestamp: '2024-05-01T06:00:05Z' }),
    ],
    horizontalPodAutoscalers: [],
  };
}
