import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import type { Pod } from '../../sources/cluster.js';
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

const MINIMUM_REPLICAS = 1;
const MAXIMUM_REPLICAS = 50;

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  action: z.enum(PROPOSED_ACTIONS).describe('rollback (to the previous revision), rollout-restart, scale (needs replicas) or delete-pod (needs pod)'),
  replicas: z.number().int().optional().describe(`For scale: the target replica count, ${MINIMUM_REPLICAS} to ${MAXIMUM_REPLICAS}`),
  pod: z.string().optional().describe('For delete-pod: the pod name, as list_pods shows it'),
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
      if (input.action === 'scale') {
        if (input.replicas === undefined || !Number.isInteger(input.replicas) || input.replicas < MINIMUM_REPLICAS || input.replicas > MAXIMUM_REPLICAS) {
          return { status: 'error', output: `scale needs replicas, a whole number from ${MINIMUM_REPLICAS} to ${MAXIMUM_REPLICAS}; nothing was proposed.`, services };
        }
      }
      if (input.action === 'delete-pod') {
        if (!input.pod) return { status: 'error', output: 'delete-pod needs the pod name (see list_pods); nothing was proposed.', services };
        let pods: Pod[];
        try {
          pods = await dependencies.cluster.listPods(namespace, deployment);
        } catch (error) {
          return { ...toolFailure(sourceName(dependencies.cluster), error), services };
        }
        if (!pods.some((pod) => pod.name === input.pod)) {
          const known = pods.map((pod) => pod.name).join(', ') || 'none';
          return { status: 'error', output: `Pod "${input.pod}" is not one of ${input.service}'s pods (${known}); nothing was proposed.`, services };
        }
      }
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
            reason: input.reason,
          },
          dependencies.now(),
        );
      } catch (error) {
        return { ...toolFailure('Redis (action proposals)', error), services };
      }
      const { proposal } = result;
      const detail = proposal.action === 'scale' ? ` (to ${proposal.replicas} replicas)` : proposal.action === 'delete-pod' ? ` (pod ${proposal.pod})` : '';
      const earlier = result.created ? '' : ` (the same proposal was already made at ${formatUtcClock(proposal.proposedAt)} UTC)`;
      return {
        status: 'ok',
        output: `Proposed ${proposal.action} of ${input.service}${detail} as proposal ${proposal.id}${earlier}; a person must approve it in Slack before anything runs.`,
        services,
      };
    },
  };
}
