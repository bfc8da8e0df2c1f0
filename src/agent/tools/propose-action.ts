import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { planRemediation } from '../../healing/remediation-plans.js';
import type { Planned } from '../../healing/remediation-action.js';
import { PROPOSED_ACTIONS, type ActionProposals, type ProposeResult } from '../../state/action-proposals.js';
import type { AgentTool, ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';

export interface ProposeActionDependencies {
  catalogue: Catalogue;
  /** Read only: to check that a pod named for delete-pod belongs to the service. */
  cluster: ReadOnlyCluster;
  proposals: ActionProposals;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  action: z.enum(PROPOSED_ACTIONS).describe('rollback (to an earlier image, after a recent rollout), rollout-restart, scale (needs replicas) or delete-pod (needs pod)'),
  replicas: z.number().int().optional().describe('For scale: the target replica count, from half to twice the current count (or three more pods)'),
  pod: z.string().optional().describe('For delete-pod: the pod name, as list_pods shows it'),
  toImage: z.string().optional().describe('For rollback: the image to go back to, as deployment_history shows it; default the newest kept image other than the current one'),
  reason: z.string().min(1).describe('Why, in one sentence, citing the evidence'),
});

/**
 * The one tool that writes, and what it writes is a proposal: a person approves it in Slack and
 * src/healing/ runs it. Nothing here changes the cluster.
 */
export function proposeActionTool(dependencies: ProposeActionDependencies): AgentTool<typeof schema> {
  return {
    name: 'propose_action',
    description:
      'Proposes a fix for a person to approve in Slack: rollback, rollout-restart, scale (with replicas) or delete-pod (with pod). It changes nothing itself; ' +
      'proposing the same thing again returns the same proposal. Propose only what the evidence supports.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const { namespace, deployment } = lookup.service;
      const services = [input.service];
      const request = { action: input.action, service: input.service, namespace, deployment, replicas: input.replicas, pod: input.pod, toImage: input.toImage };
      // The same checks the executor makes at run time (src/healing/), against the live deployment: in code, not in this prompt.
      let planned: Planned;
      try {
        planned = await planRemediation(request, dependencies.cluster, dependencies.now());
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.cluster), error), services };
      }
      if (!planned.ok) return { status: 'error', output: `${planned.problem}; nothing was proposed.`, services };
      const { plan } = planned;
      let result: ProposeResult;
      try {
        result = await dependencies.proposals.propose(
          {
            service: input.service,
            namespace,
            deployment,
            action: input.action,
            replicas: input.action === 'scale' ? input.replicas : undefined,
            pod: input.action === 'delete-pod' ? input.pod : undefined,
            toImage: input.action === 'rollback' ? plan.request.toImage : undefined,
            reason: input.reason,
          },
          dependencies.now(),
        );
      } catch (error) {
        return { ...toolFailure('Redis (action proposals)', error), services };
      }
      const { proposal } = result;
      const detail = ` (${plan.diff.join('; ')})`;
      const earlier = result.created ? '' : ` (the same proposal was already made at ${formatUtcClock(proposal.proposedAt)} UTC)`;
      return {
        status: 'ok',
        output: `Proposed ${proposal.action} of ${input.service}${detail} as proposal ${proposal.id}${earlier}; a person must approve it in Slack before anything runs.`,
        services,
      };
    },
  };
}
