import type { RemediationPlan } from './remediation-action.js';

/**
 * The risk of a plan in one line, for the approver: what can go wrong while it runs and what is
 * hard to undo. Scaling in and rolling back carry more than adding pods or replacing one.
 */
export function remediationRisk(plan: RemediationPlan): string {
  const { request } = plan;
  switch (request.action) {
    case 'scale':
      return (request.replicas ?? 0) > (plan.fromReplicas ?? 0)
        ? 'low: adds pods (more capacity used); new pods must pass readiness before they take traffic'
        : 'medium: fewer pods serve the same load; their latency may rise';
    case 'rollout-restart':
      return 'medium: every pod is replaced one by one; requests in flight on a stopping pod may fail, and warm caches start cold';
    case 'rollback':
      return `medium: the older code comes back (revision ${plan.toRevision ?? '?'}); data or config written for the newer version may not be read by it`;
    case 'delete-pod':
      return 'low: its ReplicaSet starts a replacement; its requests in flight may fail';
  }
}
