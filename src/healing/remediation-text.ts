import type { RemediationRequest } from '../remediation-vocabulary.js';

/** "roll payment back to shop/payment:2.4.0", "scale catalogue to 6 replicas", "restart cart (rollout restart)". */
export function remediationText(request: Pick<RemediationRequest, 'action' | 'service' | 'replicas' | 'pod' | 'toImage'>): string {
  switch (request.action) {
    case 'scale':
      return `scale ${request.service} to ${request.replicas} replicas`;
    case 'delete-pod':
      return `delete pod ${request.pod} of ${request.service}`;
    case 'rollout-restart':
      return `restart ${request.service} (rollout restart)`;
    case 'rollback':
      return request.toImage ? `roll ${request.service} back to ${request.toImage}` : `roll ${request.service} back`;
  }
}
