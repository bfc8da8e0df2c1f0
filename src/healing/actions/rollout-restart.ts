import type { RemediationAction } from '../remediation-action.js';
import { planRestart } from '../plans/restart-plan.js';

/** A rollout restart as an action: planned by planRestart (read-only), previewed with a server-side dry run, run through the Cluster. */
export const rolloutRestart: RemediationAction = {
  name: 'rollout-restart',
  plan: planRestart,
  preview: (plan, cluster) => cluster.rolloutRestart(plan.request.namespace, plan.request.deployment, { dryRun: true }),
  execute: (plan, cluster, stamp) => cluster.rolloutRestart(plan.request.namespace, plan.request.deployment, { restartedAt: stamp }),
  alreadyDone: async () => false,
};
