import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { formatQuantity } from '../../format-quantity.js';
import type { ContainerResources, Deployment } from '../../sources/cluster.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatAge, formatUtcTime } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface DeploymentHistoryDependencies {
  catalogue: Catalogue;
  cluster: ReadOnlyCluster;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
});

const REVISIONS_SHOWN = 10;
const MAXIMUM_CAUSE_CHARACTERS = 200;

/** The deployment now (image, revision, readiness, resources) and its rollout history: the first suspect is what changed. */
export function deploymentHistoryTool(dependencies: DeploymentHistoryDependencies): AgentTool<typeof schema> {
  return {
    name: 'deployment_history',
    description:
      'A service\'s deployment: current image and revision, replicas ready, CPU/memory requests and limits, and the rollout history (revision, image, time, change-cause), newest first. Use it to find recent deploys.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const { namespace, deployment: name } = lookup.service;
      let deployment: Deployment;
      try {
        deployment = await dependencies.cluster.getDeployment(namespace, name);
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.cluster), error), services: [input.service] };
      }
      const now = dependencies.now();
      const revisions = [...deployment.revisions].sort((left, right) => right.revision - left.revision);
      const lines = [
        `${namespace}/${name}: image ${deployment.image}, revision ${deployment.revision}; replicas ${deployment.readyReplicas}/${deployment.replicas} ready, ${deployment.availableReplicas} available, ${deployment.updatedReplicas} up to date`,
        `resources per pod: ${formatResources(deployment.resources)}`,
        `rollout history, newest first (times UTC):`,
        ...revisions.slice(0, REVISIONS_SHOWN).map((revision) => {
          const cause = revision.changeCause ? `: ${cut(revision.changeCause)}` : '';
          const current = revision.revision === deployment.revision ? ' (current)' : '';
          return `- revision ${revision.revision}${current} at ${formatUtcTime(revision.createdAt, now)} (${formatAge(now - revision.createdAt)} ago), ${revision.image}${cause}`;
        }),
      ];
      if (revisions.length > REVISIONS_SHOWN) lines.push(`… and ${revisions.length - REVISIONS_SHOWN} older revisions`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: [input.service] };
    },
  };
}

export function formatResources(resources: ContainerResources): string {
  const part = (label: string, value: number | undefined, unit: 'cores' | 'bytes') => `${label} ${value === undefined ? 'none' : formatQuantity(value, unit)}`;
  return [
    part('cpu request', resources.cpuRequestCores, 'cores'),
    part('cpu limit', resources.cpuLimitCores, 'cores'),
    part('memory request', resources.memoryRequestBytes, 'bytes'),
    part('memory limit', resources.memoryLimitBytes, 'bytes'),
  ].join(', ');
}

function cut(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return redactedExcerpt(line, MAXIMUM_CAUSE_CHARACTERS);
}
