import { z } from 'zod';
import type { Catalogue, CatalogueService } from '../../catalogue.js';
import type { ClusterEvent } from '../../sources/cluster.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcTime } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface ClusterEventsDependencies {
  catalogue: Catalogue;
  cluster: ReadOnlyCluster;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  onlyWarnings: z.boolean().default(true).describe('Only Warning events (default true); false includes Normal ones such as rollouts and scaling'),
});

const EVENTS_SHOWN = 15;
const MAXIMUM_MESSAGE_CHARACTERS = 200;

/** Kubernetes events about a service's deployment, replica sets and pods, newest first. */
export function clusterEventsTool(dependencies: ClusterEventsDependencies): AgentTool<typeof schema> {
  return {
    name: 'cluster_events',
    description:
      'Kubernetes events about a service\'s deployment and pods (OOMKilling, BackOff, Unhealthy, FailedScheduling; with onlyWarnings=false also rollouts and scaling), newest first, top 15 with counts.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const service = lookup.service;
      let events: ClusterEvent[];
      try {
        events = await dependencies.cluster.listEvents(service.namespace);
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.cluster), error), services: [input.service] };
      }
      const belongs = ownerMatcher(dependencies.catalogue, service);
      const relevant = events
        .filter((event) => belongs(event.involvedName) && (!input.onlyWarnings || event.type === 'Warning'))
        .sort((left, right) => right.lastTimestamp - left.lastTimestamp);
      const kind = input.onlyWarnings ? 'warning events' : 'events';
      if (relevant.length === 0) {
        return { status: 'no-data', output: `No ${kind} for ${service.namespace}/${service.deployment} or its pods.`, services: [input.service] };
      }
      const now = dependencies.now();
      const byReason = new Map<string, number>();
      for (const event of relevant) byReason.set(event.reason, (byReason.get(event.reason) ?? 0) + event.count);
      const reasons = [...byReason]
        .sort(([, left], [, right]) => right - left)
        .map(([reason, count]) => `${reason} ×${count}`)
        .join(', ');
      const lines = [
        `${relevant.length} ${kind} for ${service.namespace}/${service.deployment} (occurrences by reason: ${reasons}); newest ${Math.min(EVENTS_SHOWN, relevant.length)}, times UTC:`,
        ...relevant.slice(0, EVENTS_SHOWN).map((event) => formatEvent(event, now)),
      ];
      if (relevant.length > EVENTS_SHOWN) lines.push(`… and ${relevant.length - EVENTS_SHOWN} older events`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: [input.service] };
    },
  };
}

function formatEvent(event: ClusterEvent, now: number): string {
  const message = redactedExcerpt(event.message, MAXIMUM_MESSAGE_CHARACTERS);
  const count = event.count > 1 ? ` ×${event.count}` : '';
  return `- ${formatUtcTime(event.lastTimestamp, now)} ${event.type} ${event.reason}${count} ${event.involvedKind.toLowerCase()}/${event.involvedName}: ${message}`;
}

/**
 * Whether an object belongs to the service's deployment: the deployment itself, or a replica set
 * or pod named after it. A longer deployment name sharing the prefix (order vs order-service)
 * claims its own objects.
 */
function ownerMatcher(catalogue: Catalogue, service: CatalogueService): (name: string) => boolean {
  const longer = Object.values(catalogue.services)
    .filter((other) => other.namespace === service.namespace && other.deployment !== service.deployment && other.deployment.startsWith(`${service.deployment}-`))
    .map((other) => `${other.deployment}-`);
  return (name) => name === service.deployment || (name.startsWith(`${service.deployment}-`) && !longer.some((prefix) => name === prefix.slice(0, -1) || name.startsWith(prefix)));
}
