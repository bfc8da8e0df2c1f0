import type { CoreV1Event, V1Deployment, V1Pod, V1ReplicaSet, V1ResourceRequirements, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { AiopsError, ErrorCode } from '../../errors.js';
import type { Autoscaler, ClusterEvent, ContainerResources, Deployment, DeploymentRevision, Pod, PodPhase } from '../cluster.js';
import { parseQuantity } from './quantity.js';

/** The annotation the deployment controller stamps on a deployment and each of its ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const POD_PHASES = new Set<string>(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

/** `{ app: 'order-service' }` -> `app=order-service`, the form `labelSelector` takes. */
export function labelSelectorOf(matchLabels: Record<string, string>): string {
  return Object.entries(matchLabels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** ReplicaSets whose controlling owner is this deployment; a shared selector alone does not make one ours. */
export function ownedReplicaSets(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((replicaSet) =>
    (replicaSet.metadata?.ownerReferences ?? []).some(
      (owner) => owner.kind === 'Deployment' && owner.name === deployment.metadata?.name && (!uid || !owner.uid || owner.uid === uid),
    ),
  );
}

export function revisionOf(object: V1Deployment | V1ReplicaSet): number | undefined {
  const text = object.metadata?.annotations?.[REVISION_ANNOTATION];
  const revision = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(revision) && revision > 0 ? revision : undefined;
}

/** Revisions still kept, oldest first. */
export function revisionsOf(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): DeploymentRevision[] {
  const revisions: DeploymentRevision[] = [];
  for (const replicaSet of ownedReplicaSets(deployment, replicaSets)) {
    const revision = revisionOf(replicaSet);
    if (revision === undefined) continue;
    const changeCause = replicaSet.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION];
    revisions.push({
      revision,
      replicaSet: replicaSet.metadata?.name ?? '',
      image: replicaSet.spec?.template?.spec?.containers[0]?.image ?? '',
      createdAt: millisecondsOf(replicaSet.metadata?.creationTimestamp) ?? 0,
      ...(changeCause === undefined ? {} : { changeCause }),
    });
  }
  return revisions.sort((left, right) => left.revision - right.revision);
}

/** The deployment's own revision annotation, else the newest ReplicaSet's, else 0 (never rolled out). */
export function currentRevisionOf(deployment: V1Deployment, revisions: DeploymentRevision[]): number {
  return revisionOf(deployment) ?? revisions[revisions.length - 1]?.revision ?? 0;
}

export function toDeployment(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): Deployment {
  const namespace = deployment.metadata?.namespace ?? '';
  const name = deployment.metadata?.name ?? '';
  const container = deployment.spec?.template.spec?.containers[0];
  const revisions = revisionsOf(deployment, replicaSets);
  return {
    namespace,
    name,
    replicas: deployment.spec?.replicas ?? 1,
    readyReplicas: deployment.status?.readyReplicas ?? 0,
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    image: container?.image ?? '',
    revision: currentRevisionOf(deployment, revisions),
    revisions,
    resources: resourcesOf(container?.resources, `deployment ${namespace}/${name}`),
    selector: { ...(deployment.spec?.selector.matchLabels ?? {}) },
  };
}

/**
 * Which deployment a pod belongs to: its controlling ReplicaSet's owner. When that ReplicaSet is
 * not in `deploymentOfReplicaSet` (created between the two list calls) the caller's guess, or
 * the `app` label, stands in; a pod with no ReplicaSet owner belongs to no deployment.
 */
export function deploymentOfPod(pod: V1Pod, deploymentOfReplicaSet: Map<string, string>, guess?: string): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.kind === 'ReplicaSet');
  if (!owner) return undefined;
  return deploymentOfReplicaSet.get(owner.name) ?? guess ?? pod.metadata?.labels?.app;
}

export function toPod(pod: V1Pod, deployment: string | undefined): Pod {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const statuses = pod.status?.containerStatuses ?? [];
  const phase = pod.status?.phase ?? 'Unknown';
  const waitingReason = statuses.find((status) => status.state?.waiting?.reason)?.state?.waiting?.reason;
  const lastTerminationReason = statuses.find((status) => status.lastState?.terminated?.reason)?.lastState?.terminated?.reason;
  const startedAt = millisecondsOf(pod.status?.startTime);
  return {
    namespace,
    name,
    ...(deployment === undefined ? {} : { deployment }),
    phase: (POD_PHASES.has(phase) ? phase : 'Unknown') as PodPhase,
    ready: (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    restarts: statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
    ...(waitingReason === undefined ? {} : { waitingReason }),
    ...(lastTerminationReason === undefined ? {} : { lastTerminationReason }),
    ...(pod.spec?.nodeName === undefined ? {} : { node: pod.spec.nodeName }),
    ...(startedAt === undefined ? {} : { startedAt }),
    resources: resourcesOf(pod.spec?.containers[0]?.resources, `pod ${namespace}/${name}`),
  };
}

export function toClusterEvent(event: CoreV1Event, namespace: string): ClusterEvent {
  // Events written through events.k8s.io carry eventTime and series instead of lastTimestamp and count.
  const lastTimestamp =
    millisecondsOf(event.lastTimestamp) ??
    millisecondsOf(event.series?.lastObservedTime) ??
    millisecondsOf(event.eventTime) ??
    millisecondsOf(event.firstTimestamp) ??
    millisecondsOf(event.metadata?.creationTimestamp) ??
    0;
  return {
    namespace: event.metadata?.namespace ?? namespace,
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    involvedKind: event.involvedObject?.kind ?? '',
    involvedName: event.involvedObject?.name ?? '',
    count: event.count ?? event.series?.count ?? 1,
    lastTimestamp,
  };
}

/**
 * The HorizontalPodAutoscaler among `autoscalers` whose scaleTargetRef is the deployment, by kind
 * and name (the name of an HPA itself says nothing). Two HPAs on one deployment fight each other
 * and Kubernetes flags both; the first by name stands in, so the answer does not depend on list order.
 */
export function autoscalerOf(autoscalers: V2HorizontalPodAutoscaler[], deployment: string): Autoscaler | undefined {
  const targeting = autoscalers
    .filter((autoscaler) => autoscaler.spec?.scaleTargetRef.kind === 'Deployment' && autoscaler.spec.scaleTargetRef.name === deployment)
    .sort((left, right) => (left.metadata?.name ?? '').localeCompare(right.metadata?.name ?? ''));
  const found = targeting[0];
  if (!found?.spec) return undefined;
  // Kubernetes defaults minReplicas to 1 when the spec leaves it out.
  return { name: found.metadata?.name ?? '', minReplicas: found.spec.minReplicas ?? 1, maxReplicas: found.spec.maxReplicas };
}

function resourcesOf(requirements: V1ResourceRequirements | undefined, owner: string): ContainerResources {
  const quantity = (text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseQuantity(String(text));
    } catch (error) {
      throw new AiopsError(ErrorCode.SourceBadResponse, `kubernetes: ${owner} has an unreadable quantity "${text}"`, { backend: 'kubernetes', cause: error });
    }
  };
  const resources: ContainerResources = {};
  const cpuRequest = quantity(requirements?.requests?.cpu);
  const cpuLimit = quantity(requirements?.limits?.cpu);
  const memoryRequest = quantity(requirements?.requests?.memory);
  const memoryLimit = quantity(requirements?.limits?.memory);
  if (cpuRequest !== undefined) resources.cpuRequestCores = cpuRequest;
  if (cpuLimit !== undefined) resources.cpuLimitCores = cpuLimit;
  if (memoryRequest !== undefined) resources.memoryRequestBytes = memoryRequest;
  if (memoryLimit !== undefined) resources.memoryLimitBytes = memoryLimit;
  return resources;
}

/** client-node turns `date-time` fields into Date but leaves MicroTime (eventTime) a string. */
function millisecondsOf(value: Date | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const milliseconds = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}
