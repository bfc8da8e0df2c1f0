import { applyJsonPatch, applyMergePatch, cloneJson, isJsonObject, PatchError, valueAt, type Json, type JsonObject } from './json-patch.js';
import { matchesFieldSelector, matchesLabelSelector, SelectorError } from './selectors.js';
import type { KubernetesObjects } from './shop-objects.js';

/** One parsed API request, as the handlers see it. */
export interface ResourceRequest {
  method: string;
  apiPrefix: string;
  namespace: string;
  resource: string;
  name?: string;
  subresource?: string;
  query: Record<string, string>;
  contentType?: string;
  body?: Json;
}

export interface Answer {
  status: number;
  body: Json;
}

export interface Store {
  objects: KubernetesObjects;
  /** Bumped on every persisted change, as etcd's revision would be. */
  resourceVersion: number;
}

interface Collection {
  key: keyof KubernetesObjects;
  listKind: string;
  /** How the API server names the resource in messages: `deployments.apps`, `pods`. */
  qualifiedName: string;
  group: string;
}

const COLLECTIONS: Record<string, Record<string, Collection>> = {
  'apis/apps/v1': {
    deployments: { key: 'deployments', listKind: 'DeploymentList', qualifiedName: 'deployments.apps', group: 'apps' },
    replicasets: { key: 'replicaSets', listKind: 'ReplicaSetList', qualifiedName: 'replicasets.apps', group: 'apps' },
  },
  'apis/autoscaling/v2': {
    horizontalpodautoscalers: { key: 'horizontalPodAutoscalers', listKind: 'HorizontalPodAutoscalerList', qualifiedName: 'horizontalpodautoscalers.autoscaling', group: 'autoscaling' },
  },
  'api/v1': {
    pods: { key: 'pods', listKind: 'PodList', qualifiedName: 'pods', group: '' },
    events: { key: 'events', listKind: 'EventList', qualifiedName: 'events', group: '' },
  },
};

export function statusAnswer(code: number, reason: string, message: string, details?: JsonObject): Answer {
  const body: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return { status: code, body };
}

const PATCH_TYPES = new Set(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']);

/** Answers one request against the store, changing it only for a write that is not a dry run. */
export function handleResourceRequest(store: Store, request: ResourceRequest): Answer {
  const collection = COLLECTIONS[request.apiPrefix]?.[request.resource];
  if (!collection) return statusAnswer(404, 'NotFound', 'the server could not find the requested resource');
  const dryRun = request.query.dryRun;
  if (dryRun !== undefined && dryRun !== 'All') {
    return statusAnswer(400, 'BadRequest', `dryRun: Unsupported value: "${dryRun}": supported values: "All"`);
  }
  try {
    return route(store, collection, request, dryRun === 'All');
  } catch (error) {
    if (error instanceof PatchError) {
      return error.code === 422 ? statusAnswer(422, 'Invalid', error.message) : statusAnswer(400, 'BadRequest', error.message);
    }
    if (error instanceof SelectorError) return statusAnswer(400, 'BadRequest', error.message);
    throw error;
  }
}

function route(store: Store, collection: Collection, request: ResourceRequest, dryRun: boolean): Answer {
  const { method, name, subresource } = request;
  if (name === undefined) {
    if (method === 'GET') return list(store, collection, request);
    return methodNotAllowed(method);
  }
  const index = store.objects[collection.key].findIndex((object) => nameOf(object) === name && namespaceOf(object) === request.namespace);
  const stored = store.objects[collection.key][index];
  if (!stored) return notFound(collection, name);
  if (collection.key === 'deployments' && subresource === 'scale') {
    if (method === 'GET') return { status: 200, body: scaleOf(stored) };
    if (method === 'PATCH') return patchScale(store, stored, request, dryRun);
    return methodNotAllowed(method);
  }
  if (subresource !== undefined) return statusAnswer(404, 'NotFound', 'the server could not find the requested resource');
  if (method === 'GET') return { status: 200, body: stored };
  if (method === 'PATCH' && collection.key === 'deployments') return patchDeployment(store, index, request, dryRun);
  if (method === 'DELETE' && collection.key === 'pods') {
    // A real pod lingers while it terminates; here it is gone at once, which is what the adapter observes after its grace period.
    const deleted = cloneJson(stored);
    (deleted.metadata as JsonObject).deletionTimestamp = new Date().toISOString();
    if (!dryRun) {
      store.objects.pods.splice(index, 1);
      store.resourceVersion += 1;
    }
    return { status: 200, body: deleted };
  }
  return methodNotAllowed(method);
}

function list(store: Store, collection: Collection, request: ResourceRequest): Answer {
  const items = store.objects[collection.key].filter(
    (object) =>
      namespaceOf(object) === request.namespace &&
      matchesLabelSelector(object, request.query.labelSelector) &&
      matchesFieldSelector(object, request.query.fieldSelector),
  );
  const apiVersion = request.apiPrefix === 'api/v1' ? 'v1' : request.apiPrefix.replace(/^apis\//, '');
  return { status: 200, body: { kind: collection.listKind, apiVersion, metadata: { resourceVersion: String(store.resourceVersion) }, items } };
}

function patchDeployment(store: Store, index: number, request: ResourceRequest, dryRun: boolean): Answer {
  const stored = store.objects.deployments[index] as JsonObject;
  const patched = applyPatch(stored, request);
  if (!isJsonObject(patched)) return statusAnswer(422, 'Invalid', 'the patched object is not an object');
  const problem = deploymentProblem(stored, patched);
  if (problem) return statusAnswer(422, 'Invalid', `Deployment.apps "${nameOf(stored)}" is invalid: ${problem}`);
  finishWrite(store, stored, patched, dryRun);
  if (!dryRun) store.objects.deployments[index] = patched;
  return { status: 200, body: patched };
}

function patchScale(store: Store, deployment: JsonObject, request: ResourceRequest, dryRun: boolean): Answer {
  const patched = applyPatch(scaleOf(deployment), request);
  const replicas = valueAt(patched, '/spec/replicas');
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    return statusAnswer(422, 'Invalid', `Scale.autoscaling "${nameOf(deployment)}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const updated = applyMergePatch(deployment, { spec: { replicas } }) as JsonObject;
  finishWrite(store, deployment, updated, dryRun);
  if (!dryRun) {
    const index = store.objects.deployments.indexOf(deployment);
    store.objects.deployments[index] = updated;
  }
  return { status: 200, body: scaleOf(updated) };
}

function applyPatch(target: JsonObject, request: ResourceRequest): Json {
  const contentType = request.contentType?.split(';')[0]?.trim();
  if (!contentType || !PATCH_TYPES.has(contentType)) {
    throw new PatchError(400, `the body of the request was in an unknown format - accepted media types include: ${[...PATCH_TYPES].join(', ')}`);
  }
  if (request.body === undefined) throw new PatchError(400, 'the patch body is not valid JSON');
  return contentType === 'application/json-patch+json' ? applyJsonPatch(target, request.body) : applyMergePatch(target, request.body);
}

/** The checks of the real API server that a wrong patch from the adapter would trip. */
function deploymentProblem(before: JsonObject, after: JsonObject): string | undefined {
  if (valueAt(after, '/metadata/name') !== valueAt(before, '/metadata/name')) return 'metadata.name: Invalid value: field is immutable';
  const replicas = valueAt(after, '/spec/replicas');
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    return `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`;
  }
  const containers = valueAt(after, '/spec/template/spec/containers');
  if (!Array.isArray(containers) || containers.length === 0) return 'spec.template.spec.containers: Required value';
  for (const container of containers) {
    if (!isJsonObject(container) || typeof container.name !== 'string' || typeof container.image !== 'string') {
      return 'spec.template.spec.containers: each container needs a name and an image';
    }
  }
  const selector = valueAt(after, '/spec/selector/matchLabels');
  const labels = valueAt(after, '/spec/template/metadata/labels');
  if (JSON.stringify(selector) !== JSON.stringify(valueAt(before, '/spec/selector/matchLabels'))) return 'spec.selector: Invalid value: field is immutable';
  const matches = isJsonObject(selector) && isJsonObject(labels) && Object.entries(selector).every(([key, value]) => labels[key] === value);
  if (!matches) return 'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`';
  return undefined;
}

/** What the API server does to every admitted write, dry run included: new version, new generation when the spec moved. */
function finishWrite(store: Store, before: JsonObject, after: JsonObject, dryRun: boolean): void {
  const metadata = after.metadata as JsonObject;
  metadata.resourceVersion = String(store.resourceVersion + 1);
  if (JSON.stringify(before.spec) !== JSON.stringify(after.spec)) metadata.generation = Number(valueAt(before, '/metadata/generation') ?? 0) + 1;
  if (!dryRun) store.resourceVersion += 1;
}

function scaleOf(deployment: JsonObject): JsonObject {
  const matchLabels = valueAt(deployment, '/spec/selector/matchLabels');
  const selector = isJsonObject(matchLabels) ? Object.entries(matchLabels).map(([key, value]) => `${key}=${String(value)}`).join(',') : '';
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: nameOf(deployment),
      namespace: namespaceOf(deployment),
      uid: valueAt(deployment, '/metadata/uid') ?? null,
      resourceVersion: valueAt(deployment, '/metadata/resourceVersion') ?? null,
    },
    spec: { replicas: valueAt(deployment, '/spec/replicas') ?? 0 },
    status: { replicas: valueAt(deployment, '/status/replicas') ?? 0, selector },
  };
}

function notFound(collection: Collection, name: string): Answer {
  return statusAnswer(404, 'NotFound', `${collection.qualifiedName} "${name}" not found`, {
    name,
    group: collection.group,
    kind: collection.qualifiedName.split('.')[0] ?? collection.qualifiedName,
  });
}

function methodNotAllowed(method: string): Answer {
  return statusAnswer(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

export function nameOf(object: JsonObject): string {
  return String(valueAt(object, '/metadata/name') ?? '');
}

export function namespaceOf(object: JsonObject): string {
  return String(valueAt(object, '/metadata/namespace') ?? '');
}
