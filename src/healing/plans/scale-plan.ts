import type { Autoscaler } from '../../sources/cluster.js';
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
 * count must change. When a HorizontalPodAutoscaler scales the deployment, the count must also
 * lie in its range: outside it the HPA undoes the scale at its next sync, so the fix would not last.
 */
export async function planScale(request: RemediationRequest, cluster: ClusterReader, _now: number): Promise<Planned> {
  const replicas = request.replicas;
  if (replicas === undefined || !Number.isInteger(replicas)) return { ok: false, problem: 'replicas: expected a whole number of pods to scale to' };
  const [deployment, autoscaler] = await Promise.all([
    cluster.getDeployment(request.namespace, request.deployment),
    cluster.getAutoscaler(request.namespace, request.deployment),
  ]);
  const current = deployment.replicas;
  if (replicas === current) return { ok: false, problem: `replicas: ${request.service} already runs ${replicas}; expected a different count` };
  const problem = autoscaler ? outsideAutoscaler(request.service, current, replicas, autoscaler) : outsideBounds(request.service, current, replicas);
  if (problem) return { ok: false, problem };
  const diff = [`replicas: ${current} → ${replicas}`];
  if (autoscaler) {
    diff.push(`HorizontalPodAutoscaler ${autoscaler.name} manages the count (${autoscaler.minReplicas} to ${autoscaler.maxReplicas}) and may move it at its next sync`);
  }
  return {
    ok: true,
    plan: {
      request,
      diff,
      verification: `${replicas} ready pods, and the signal that raised the incident back to its usual range`,
      targetVersion: deploymentVersion(deployment),
      fromReplicas: current,
    },
  };
}

function outsideBounds(service: string, current: number, replicas: number): string | undefined {
  const { minimum, maximum } = scaleBounds(current);
  if (replicas >= minimum && replicas <= maximum) return undefined;
  return `replicas: expected ${minimum} to ${maximum} for ${service}, which runs ${current} now (one approval at most doubles or halves it), got ${replicas}`;
}

/** The counts allowed are those both scaleBounds and the HPA's range allow; the problem names whichever narrowed them. */
function outsideAutoscaler(service: string, current: number, replicas: number, autoscaler: Autoscaler): string | undefined {
  const bounds = scaleBounds(current);
  const minimum = Math.max(bounds.minimum, autoscaler.minReplicas);
  const maximum = Math.min(bounds.maximum, autoscaler.maxReplicas);
  const range = `its HorizontalPodAutoscaler ${autoscaler.name} allows ${autoscaler.minReplicas} to ${autoscaler.maxReplicas}`;
  // Empty, or the current count alone: no approval can scale this deployment; its HPA is what to change.
  if (minimum > maximum || (minimum === current && maximum === current)) {
    const fits = minimum > maximum ? `no count fits ${service}` : `no count fits ${service} but the ${current} it runs`;
    return `replicas: ${fits}: one approval may set ${bounds.minimum} to ${bounds.maximum} from ${current}, and ${range}; change the HorizontalPodAutoscaler instead, got ${replicas}`;
  }
  if (replicas >= minimum && replicas <= maximum) return undefined;
  const narrowedByBounds = minimum > autoscaler.minReplicas || maximum < autoscaler.maxReplicas;
  const why = narrowedByBounds ? `${range}; it runs ${current} now and one approval at most doubles or halves it` : range;
  return `replicas: expected ${minimum} to ${maximum} for ${service} (${why}), got ${replicas}`;
}
