import { deploymentVersion, type ClusterReader, type Planned, type RemediationRequest } from '../remediation-action.js';

/** The most a single approval may grow a deployment: twice its size, or three more pods when small. */
const GROWTH_FACTOR = 2;
const SMALL_DEPLOYMENT_STEP = 3;
/** A scale-in keeps at least half the pods: more is a decision for a person at a terminal. */
const SHRINK_FACTOR = 0.5;

/** The replica counts one approval may set, from the current count: [ceil(current / 2), max(2 × current, current + 3)], never 0. */
export function scaleBounds(current: number): { minimum: number; maximum: number } {
  return { minimum: Math.max(1, Math.ceil(current * SHRINK_FACTOR)), maximum: Math.max(current * GROWTH_FACTOR, current + SMALL_DEPLOYMENT_STEP) };
}

/**
 * Scale a deployment (the `scale` subresource). Bounded relative to the current count, so a
 * proposal written from an injected log line ("scale order-service to 50") is refused, and the
 * count must change.
 */
export async function planScale(request: RemediationRequest, cluster: ClusterReader, _now: number): Promise<Planned> {
  const replicas = request.replicas;
  if (replicas === undefined || !Number.isInteger(replicas)) return { ok: false, problem: 'replicas: expected a whole number of pods to scale to' };
  const deployment = await cluster.getDeployment(request.namespace, request.deployment);
  const { minimum, maximum } = scaleBounds(deployment.replicas);
  if (replicas === deployment.replicas) return { ok: false, problem: `replicas: ${request.service} already runs ${replicas}; expected a different count` };
  if (replicas < minimum || replicas > maximum) {
    return { ok: false, problem: `replicas: expected ${minimum} to ${maximum} for ${request.service}, which runs ${deployment.replicas} now (one approval at most doubles or halves it), got ${replicas}` };
  }
  return {
    ok: true,
    plan: {
      request,
      diff: [`replicas: ${deployment.replicas} → ${replicas}`],
      verification: `${replicas} ready pods, and the signal that raised the incident back to its usual range`,
      targetVersion: deploymentVersion(deployment),
      fromReplicas: deployment.replicas,
    },
  };
}
