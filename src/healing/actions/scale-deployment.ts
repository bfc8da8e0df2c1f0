import type { RemediationAction } from '../remediation-action.js';
import { planScale } from '../plans/scale-plan.js';

/** Scaling a deployment as an action: planned by planScale (read-only), previewed with a server-side dry run, run through the Cluster. */
export const scaleDeployment: RemediationAction = {
  name: 'scale',
  plan: planScale,
  preview: (plan, cluster) => cluster.scale(plan.request.namespace, plan.request.deployment, plan.request.replicas!, { dryRun: true }),
  execute: (plan, cluster) => cluster.scale(plan.request.namespace, plan.request.deployment, plan.request.replicas!),
  alreadyDone: async (plan, cluster) => (await cluster.getDeployment(plan.request.namespace, plan.request.deployment)).replicas === plan.request.replicas,
};
