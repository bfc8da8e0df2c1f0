import type { ProposedAction } from '../state/action-proposals.js';
import { deletePod } from './actions/delete-pod.js';
import { rollBack } from './actions/roll-back.js';
import { rolloutRestart } from './actions/rollout-restart.js';
import { scaleDeployment } from './actions/scale-deployment.js';
import type { RemediationAction } from './remediation-action.js';

/** Every action by name, for the executor: what a proposal names is looked up here, by own keys only. */
export const REMEDIATION_ACTIONS: ReadonlyMap<ProposedAction, RemediationAction> = new Map([scaleDeployment, rolloutRestart, rollBack, deletePod].map((action) => [action.name, action]));
