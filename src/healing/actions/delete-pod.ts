import type { RemediationAction } from '../remediation-action.js';
import { planPodDeletion } from '../plans/delete-pod-plan.js';

/** Deleting one pod as an action: planned by planPodDeletion (read-only), previewed with a server-side dry run, run through the Cluster. */
export const deletePod: RemediationAction = {
  name: 'delete-pod',
  plan: planPodDeletion,
  preview: (plan, cluster) => cluster.deletePod(plan.request.namespace, plan.request.pod!, { dryRun: true }),
  execute: (plan, cluster) => cluster.deletePod(plan.request.namespace, plan.request.pod!),
  alreadyDone: async (plan, cluster) => !(await cluster.listPods(plan.request.namespace, plan.request.deployment)).some((pod) => pod.name === plan.request.pod),
};
