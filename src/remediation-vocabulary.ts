/**
 * The words remediation shares across layers: the kinds of fault the root-cause engine tells apart
 * (src/rca/diagnose-fault.ts), the actions that can fix them (src/healing/actions/), and how much
 * approval an action needs. The catalogue's `healing` section is written in them.
 */

export const FAULT_KINDS = ['memory-leak', 'crash-loop', 'connection-pool-exhaustion', 'traffic-surge', 'code-error', 'slow-dependency', 'bad-deploy', 'unknown'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const PROPOSED_ACTIONS = ['rollback', 'rollout-restart', 'scale', 'delete-pod'] as const;
export type ProposedAction = (typeof PROPOSED_ACTIONS)[number];

/**
 * What policy asks before an action runs: nothing (`auto`), one authorised approver (`approve`),
 * two different ones, neither of them the requester (`approve-2`), or never (`forbidden`).
 */
export const APPROVAL_RULES = ['auto', 'approve', 'approve-2', 'forbidden'] as const;
export type ApprovalRule = (typeof APPROVAL_RULES)[number];

/** What someone (the engine, the agent, a person) asks to be done to one service's deployment. */
export interface RemediationRequest {
  action: ProposedAction;
  service: string;
  namespace: string;
  deployment: string;
  /** scale: the replica count wanted. */
  replicas?: number;
  /** delete-pod: the pod. */
  pod?: string;
  /** rollback: the image to go back to; absent, the newest kept image other than the current one. */
  toImage?: string;
}
