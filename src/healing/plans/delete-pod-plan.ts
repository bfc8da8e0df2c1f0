import { deploymentVersion, type ClusterReader, type Planned, type RemediationRequest } from '../remediation-action.js';

/** Delete one pod of the service (its deployment replaces it): for one pod stuck while the others serve. */
export async function planPodDeletion(request: RemediationRequest, cluster: ClusterReader, _now: number): Promise<Planned> {
  if (!request.pod) return { ok: false, problem: 'pod: expected the name of one of the service\'s pods' };
  const [deployment, pods] = await Promise.all([cluster.getDeployment(request.namespace, request.deployment), cluster.listPods(request.namespace, request.deployment)]);
  const pod = pods.find((candidate) => candidate.name === request.pod);
  if (!pod) return { ok: false, problem: `pod: ${request.pod} is not one of ${request.service}'s pods (${pods.map((candidate) => candidate.name).join(', ') || 'none'})` };
  if (pods.length < 2) return { ok: false, problem: `pod: ${request.pod} is ${request.service}'s only pod; deleting it would stop the service until its replacement is ready` };
  return {
    ok: true,
    plan: {
      request,
      diff: [`pod ${pod.name} (${pod.phase}${pod.waitingReason ? `, ${pod.waitingReason}` : ''}, ${pod.restarts} restarts): deleted; the deployment starts a new one`],
      verification: `${deployment.replicas} ready pods again, the new one among them`,
      targetVersion: deploymentVersion(deployment),
    },
  };
}
