import { z } from 'zod';
import type { MetricsSource } from '../../sources/metrics.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';

export interface ListMetricsDependencies {
  metrics: MetricsSource;
}

const schema = z.object({
  filter: z.string().optional().describe('Only names containing this text, case-insensitive, e.g. "memory" or "http_"'),
});

/** Names shown; a real Prometheus holds thousands, and the filter is how the model narrows them. */
const MAXIMUM_NAMES = 150;

/** Metric discovery, so raw PromQL is written against names that exist. */
export function listMetricsTool(dependencies: ListMetricsDependencies): AgentTool<typeof schema> {
  return {
    name: 'list_metrics',
    description: 'Lists the metric names the metrics backend holds, optionally only those containing a text. Use it before promql_query.',
    schema,
    async run(input): Promise<ToolResult> {
      let names: string[];
      try {
        names = await dependencies.metrics.metricNames();
      } catch (error) {
        return toolFailure(sourceName(dependencies.metrics), error);
      }
      const filter = input.filter?.trim().toLowerCase() ?? '';
      const matching = filter === '' ? names : names.filter((name) => name.toLowerCase().includes(filter));
      const about = filter === '' ? '' : ` containing "${filter}"`;
      if (matching.length === 0) return { status: 'no-data', output: `No metric names${about} (${names.length} names in all).` };
      const shown = matching.slice(0, MAXIMUM_NAMES);
      const more = matching.length > shown.length ? `\n… and ${matching.length - shown.length} more; pass a filter to narrow them.` : '';
      return { status: 'ok', output: boundedOutput(`${matching.length} metric names${about}:\n${shown.join(', ')}${more}`) };
    },
  };
}
