import type { DeploymentRevision } from '../../sources/cluster.js';
import { deploymentVersion, type ClusterReader, type Planned, type RemediationRequest } from '../remediation-action.js';

/** A rollback undoes a recent rollout; an old one is a change to plan, not an incident fix. */
export const RECENT_ROLLOUT_MILLISECONDS = 24 * 3_600_000;

/**
 * The revision to go back to, chosen by image: the newest kept revision whose image is `toImage`,
 * or, without one, the newest whose image differs from the current one. Never "the previous
 * revision": after a restart that one runs the same bad image.
 */
export function rollbackTarget(revisions: readonly DeploymentRevision[], currentImage: string, toImage?: string): DeploymentRevision | undefined {
  const newestFirst = [...revisions].sort((left, right) => right.revision - left.revision);
  return newestFirst.find((revision) => (toImage === undefined ? revision.image !== currentImage : revision.image === toImage));
}

/** Roll a deployment back to the revision running an earlier image, when a rollout is recent. */
export async function planRollBack(request: RemediationRequest, cluster: ClusterReader, now: number): Promise<Planned> {
  const deployment = await cluster.getDeployment(request.namespace, request.deployment);
  const current = deployment.revisions.find((revision) => revision.revision === deployment.revision);
  // The rollout that brought the current image: the oldest revision running it, so a restart since does not count as one.
  const rolledOutAt = Math.min(...deployment.revisions.filter((revision) => revision.image === deployment.image).map((revision) => revision.createdAt), current?.createdAt ?? Number.POSITIVE_INFINITY);
  if (!(now - rolledOutAt <= RECENT_ROLLOUT_MILLISECONDS)) {
    return { ok: false, problem: `${request.service} has had no rollout in the last 24 h (it runs ${deployment.image}); a rollback undoes a recent rollout` };
  }
  if (request.toImage === deployment.image) return { ok: false, problem: `toImage: ${request.service} already runs ${deployment.image}` };
  const target = rollbackTarget(deployment.revisions, deployment.image, request.toImage);
  if (!target) {
    const kept = [...new Set(deployment.revisions.map((revision) => revision.image))].join(', ');
    return { ok: false, problem: request.toImage ? `toImage: ${request.toImage} is in no kept revision of ${request.service} (kept: ${kept})` : `${request.service} keeps no revision with an image other than ${deployment.image}` };
  }
  return {
    ok: true,
    plan: {
      request: { ...request, toImage: target.image },
      diff: [`image: ${deployment.image} → ${target.image}`, `revision: ${deployment.revision} → the pod template of revision ${target.revision}`],
      verification: `${deployment.replicas} ready pods on ${target.image}, and the errors the rollout brought gone`,
      targetVersion: deploymentVersion(deployment),
      toRevision: target.revision,
    },
  };
}
