import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';

export interface CallGraphDependencies {
  catalogue: Catalogue;
}

const schema = z.object({
  service: z.string().optional().describe('A catalogued service (default: the whole graph)'),
});

/** The catalogue's call graph: faults travel up it (callers wait and fail), load travels down it. */
export function callGraphTool(dependencies: CallGraphDependencies): AgentTool<typeof schema> {
  return {
    name: 'call_graph',
    description:
      'The call graph from the catalogue: what a service calls and what calls it, directly and transitively, or the whole graph without a service. ' +
      'A slow or failing dependency makes its callers slow or failing too.',
    schema,
    async run(input): Promise<ToolResult> {
      const catalogue = dependencies.catalogue;
      const calls = (name: string) => catalogue.services[name]?.dependencies ?? [];
      const callers = (name: string) => Object.values(catalogue.services).filter((service) => service.dependencies.includes(name)).map((service) => service.name);
      if (input.service === undefined) {
        const names = Object.keys(catalogue.services).sort();
        const lines = [
          `Call graph of ${names.length} catalogued services (caller → what it calls):`,
          ...names.map((name) => `- ${name} → ${calls(name).length > 0 ? [...calls(name)].sort().join(', ') : '(calls nothing catalogued)'}`),
          `Entry points (nothing calls them): ${names.filter((name) => callers(name).length === 0).join(', ') || 'none'}`,
        ];
        return { status: 'ok', output: boundedOutput(lines.join('\n')), services: names };
      }
      const lookup = knownService(catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const name = lookup.service.name;
      const directCalls = [...calls(name)].sort();
      const directCallers = callers(name).sort();
      const indirectCalls = reachable(name, calls).filter((other) => !directCalls.includes(other));
      const indirectCallers = reachable(name, callers).filter((other) => !directCallers.includes(other));
      const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
      const lines = [
        `${name} calls: ${list(directCalls)}; through them also: ${list(indirectCalls)}`,
        `${name} is called by: ${list(directCallers)}; through them also by: ${list(indirectCallers)}`,
        'A fault in a service shows in its callers a minute or so later; a load surge at a caller reaches the services it calls.',
      ];
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: [name, ...directCalls, ...directCallers] };
    },
  };
}

/** Every service reachable from `start` along `next`, sorted, `start` excluded; cycles are tolerated. */
function reachable(start: string, next: (name: string) => string[]): string[] {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const other of next(queue.shift()!)) {
      if (seen.has(other)) continue;
      seen.add(other);
      queue.push(other);
    }
  }
  seen.delete(start);
  return [...seen].sort();
}
