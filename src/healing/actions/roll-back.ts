import type { RemediationAction } from '../remediation-action.js';
import { planRollBack } from '../plans/roll-back-plan.js';

/** A rollback to an earlier image as an action: planned by planRollBack (read-only), previewed with a server-side dry run, run through the Cluster. */
export const rollBack: RemediationAction = {
  name: 'rollback',
  plan: planRollBack,
  preview: (plan, cluster) => cluster.rollback(plan.request.namespace, plan.request.deployment, plan.toRevision, { dryRun: true }),
  execute: (plan, cluster) => cluster.rollback(plan.request.namespace, plan.request.deployment, plan.toRevision),
  alreadyDone: async (plan, cluster) => (await cluster.getDeployment(plan.request.namespace, plan.request.deployment)).image === plan.request.toImage,
};
