import type { ProposedAction } from '../state/action-proposals.js';
import { planPodDeletion } from './plans/delete-pod-plan.js';
import { planRestart } from './plans/restart-plan.js';
import { planRollBack } from './plans/roll-back-plan.js';
import { planScale } from './plans/scale-plan.js';
import type { ClusterReader, Planned, RemediationRequest } from './remediation-action.js';

/**
 * The checks of every action, read-only: what the agent's propose_action may import (it must
 * never reach a write; see the read-only tools test), and what the executor runs again at run time.
 */
const PLANS: ReadonlyMap<ProposedAction, (request: RemediationRequest, cluster: ClusterReader, now: number) => Promise<Planned>> = new Map([
  ['scale', planScale],
  ['rollout-restart', planRestart],
  ['rollback', planRollBack],
  ['delete-pod', planPodDeletion],
]);

/** Checks a request against the live target with its action's rules: a plan, or one line saying what is wrong. */
export async function planRemediation(request: RemediationRequest, cluster: ClusterReader, now: number): Promise<Planned> {
  const plan = PLANS.get(request.action);
  if (!plan) return { ok: false, problem: `action: expected one of ${[...PLANS.keys()].join(', ')}` };
  return plan(request, cluster, now);
}
