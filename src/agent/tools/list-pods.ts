import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import type { Pod } from '../../sources/cluster.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatAge } from './utc-time.js';

export interface ListPodsDependencies {
  catalogue: Catalogue;
  cluster: ReadOnlyCluster;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
});

const PODS_SHOWN = 25;

/** The pods of a service's deployment, troubled ones first: restarts, OOM kills and back-offs at a glance. */
export function listPodsTool(dependencies: ListPodsDependencies): AgentTool<typeof schema> {
  return {
    name: 'list_pods',
    description:
      'Lists the pods of a service\'s deployment with phase, readiness, restarts, waiting reason (CrashLoopBackOff…), last termination reason (OOMKilled…), node and age.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const { namespace, deployment } = lookup.service;
      let pods: Pod[];
      try {
        pods = await dependencies.cluster.listPods(namespace, deployment);
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.cluster), error), services: [input.service] };
      }
      if (pods.length === 0) return { status: 'no-data', output: `No pods for deployment ${namespace}/${deployment}.`, services: [input.service] };
      const now = dependencies.now();
      const ordered = [...pods].sort((left, right) => trouble(right) - trouble(left) || left.name.localeCompare(right.name));
      const ready = pods.filter((pod) => pod.ready).length;
      const restarts = pods.reduce((sum, pod) => sum + pod.restarts, 0);
      const reasons = countBy(pods.flatMap((pod) => [pod.waitingReason, pod.lastTerminationReason].filter((reason): reason is string => reason !== undefined)));
      const lines = [
        `${namespace}/${deployment}: ${pods.length} pods, ${ready} ready, ${restarts} restarts in all${reasons ? `; reasons: ${reasons}` : ''}`,
        ...ordered.slice(0, PODS_SHOWN).map((pod) => formatPod(pod, now)),
      ];
      if (ordered.length > PODS_SHOWN) lines.push(`… and ${ordered.length - PODS_SHOWN} more pods`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: [input.service] };
    },
  };
}

function formatPod(pod: Pod, now: number): string {
  const parts = [`- ${pod.name}: ${pod.phase}`, pod.ready ? 'ready' : 'NOT ready', `${pod.restarts} restarts`];
  if (pod.waitingReason) parts.push(`waiting: ${pod.waitingReason}`);
  if (pod.lastTerminationReason) parts.push(`last terminated: ${pod.lastTerminationReason}`);
  if (pod.node) parts.push(`node ${pod.node}`);
  if (pod.startedAt !== undefined) parts.push(`up ${formatAge(now - pod.startedAt)}`);
  return parts.join(', ');
}

/** Higher for pods a person would look at first. */
function trouble(pod: Pod): number {
  return (pod.ready ? 0 : 1000) + (pod.waitingReason ? 500 : 0) + (pod.lastTerminationReason ? 100 : 0) + Math.min(pod.restarts, 99);
}

/** "OOMKilled ×3, CrashLoopBackOff ×1", or '' when there is nothing to count. */
function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .sort(([, left], [, right]) => right - left)
    .map(([value, count]) => `${value} ×${count}`)
    .join(', ');
}
