import { deploymentVersion, type ClusterReader, type Planned, type RemediationRequest } from '../remediation-action.js';

/**
 * Restart a deployment's pods as `kubectl rollout restart` does (a `restartedAt` annotation on the
 * pod template): the fix for memory growing towards its limit, or a process wedged in a bad state.
 */
export async function planRestart(request: RemediationRequest, cluster: ClusterReader, _now: number): Promise<Planned> {
  const deployment = await cluster.getDeployment(request.namespace, request.deployment);
  if (deployment.replicas === 0) return { ok: false, problem: `${request.service} runs no pods; there is nothing to restart` };
  return {
    ok: true,
    plan: {
      request,
      diff: [`spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]: set to the time of the restart`, `pods: ${deployment.replicas} replaced one by one (image ${deployment.image} kept)`],
      verification: `${deployment.replicas} ready pods, restarts no longer climbing, and memory starting again from its usual level`,
      targetVersion: deploymentVersion(deployment),
    },
  };
}
