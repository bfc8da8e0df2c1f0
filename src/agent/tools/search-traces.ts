import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { formatQuantity } from '../../format-quantity.js';
import type { CallEdge, ServiceSpanStats, TraceSource, TraceSummary } from '../../sources/traces.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';

export interface SearchTracesDependencies {
  catalogue: Catalogue;
  /** Absent where no tracing backend is configured: the tool then answers no-data. */
  traces?: TraceSource;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  minutes: z.number().int().min(1).max(1440).default(15).describe('How far back to search, minutes (default 15)'),
  errorsOnly: z.boolean().default(false).describe('Only traces in which some span failed'),
  minimumMilliseconds: z.number().int().min(1).optional().describe('Only traces at least this long, milliseconds'),
});

const TRACES_SHOWN = 10;
/** Edges shown around the service: its callers and callees are what matter, and an estate has many more. */
const EDGES_SHOWN = 12;

/**
 * Traces through a service: how its requests fared (error rate, latency percentiles), which services
 * the traces show it calling and being called by, and the newest traces in a line each with where
 * they failed and where the time went. Read-only.
 */
export function searchTracesTool(dependencies: SearchTracesDependencies): AgentTool<typeof schema> {
  return {
    name: 'search_traces',
    description:
      'Searches distributed traces through a service over the last minutes: its request error rate and latency percentiles from spans, the calls to and from it that the traces show ' +
      '(a call graph that may hold edges the catalogue lacks), and the newest 10 traces with the deepest failed span and the service with the most own time. Filter with errorsOnly or minimumMilliseconds.',
    schema,
    async run(input): Promise<ToolResult> {
      const traces = dependencies.traces;
      if (!traces) return { status: 'no-data', output: 'No trace source is configured here (JAEGER_URL is unset), so there are no traces to search.' };
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const service = lookup.service.name;
      const now = dependencies.now();
      const window = { start: new Date(now - input.minutes * 60_000), end: new Date(now) };
      let stats: ServiceSpanStats | undefined;
      let edges: CallEdge[];
      let found: TraceSummary[];
      try {
        [[stats], edges, found] = await Promise.all([
          traces.serviceStats({ ...window, services: [service] }),
          traces.callGraph({ ...window, services: [service] }),
          traces.searchTraces({
            ...window,
            service,
            limit: TRACES_SHOWN,
            ...(input.errorsOnly ? { errorsOnly: true } : {}),
            ...(input.minimumMilliseconds === undefined ? {} : { minimumDurationMilliseconds: input.minimumMilliseconds }),
          }),
        ]);
      } catch (error) {
        return { ...toolFailure(sourceName(traces), error), services: [service] };
      }
      const span = `${formatUtcClock(window.start.getTime())}–${formatUtcClock(now)} UTC`;
      if (!stats || (stats.requests === 0 && found.length === 0)) {
        return { status: 'no-data', output: `No traces through ${service} between ${span}.`, services: [service] };
      }
      const around = edges.filter((edge) => edge.caller === service || edge.callee === service).slice(0, EDGES_SHOWN);
      const filters = [input.errorsOnly ? 'with a failed span' : '', input.minimumMilliseconds === undefined ? '' : `at least ${formatMilliseconds(input.minimumMilliseconds)} long`].filter(Boolean).join(', ');
      const lines = [
        `Traces through ${service}, ${span}: ${describeStats(stats)}`,
        around.length > 0 ? `Calls the traces show: ${around.map((edge) => `${edge.caller} → ${edge.callee} (${edge.calls})`).join(', ')}` : `The traces show no calls to or from ${service}.`,
        found.length > 0 ? `Newest ${found.length} traces${filters ? ` ${filters}` : ''}:` : `No traces${filters ? ` ${filters}` : ''} in the window.`,
        ...found.map(describeTrace),
      ];
      const involved = [...new Set([service, ...around.flatMap((edge) => [edge.caller, edge.callee])])].filter((name) => Object.hasOwn(dependencies.catalogue.services, name));
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: involved };
    },
  };
}

function describeStats(stats: ServiceSpanStats): string {
  if (stats.requests === 0) return `no request entered it in the ${stats.traces} traces read.`;
  return (
    `${stats.requests} requests entered it in the ${stats.traces} traces read, ${stats.errors} failed (${formatQuantity(stats.errorRate, 'ratio')}); ` +
    `latency p50 ${formatMilliseconds(stats.latencyP50Milliseconds)}, p95 ${formatMilliseconds(stats.latencyP95Milliseconds)}, p99 ${formatMilliseconds(stats.latencyP99Milliseconds)}.`
  );
}

function describeTrace(trace: TraceSummary): string {
  const time = new Date(trace.start).toISOString().slice(11, 19);
  const failed = trace.deepestError ? `, ${trace.errorSpanCount} failed (deepest: ${trace.deepestError.service} ${trace.deepestError.operation})` : '';
  const slowest = `most own time: ${trace.slowestService.service} ${formatMilliseconds(trace.slowestService.selfMilliseconds)}`;
  return `- ${time} ${trace.rootService} ${trace.rootOperation} ${formatMilliseconds(trace.durationMilliseconds)}, ${trace.spanCount} spans${failed}; ${slowest}; trace ${trace.traceId}`;
}

function formatMilliseconds(milliseconds: number): string {
  return formatQuantity(milliseconds / 1000, 'seconds');
}
