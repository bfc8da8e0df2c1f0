import type { Catalogue } from '../../catalogue.js';
import { callEdges, mergeCallEdges, serviceSpanStats, summariseTraces } from '../trace-aggregation.js';
import type { CallEdge, CallGraphQuery, ServiceSpanStats, ServiceSpanStatsQuery, Span, TraceSearch, TraceSource, TraceSummary, TraceWindow } from '../traces.js';
import { cataloguedDeployment } from './catalogued-deployment.js';
import { uniform } from './random.js';
import { pathTo, traceSpans } from './trace-generator.js';
import type { SimWorld } from './world.js';

/** Traces per service behind statistics and the call graph: what the Jaeger adapter reads by default. */
const TRACES_PER_SERVICE = 100;
/**
 * Traces per service behind the call graph: every answer reads it, and an edge taken by one request
 * in five still shows in all but one of about a thousand such samples.
 */
const CALL_GRAPH_TRACES_PER_SERVICE = 30;
const DEFAULT_SEARCH_LIMIT = 20;
/** A filtered search looks through this many times its limit: failing traces are rare in a healthy estate. */
const FILTERED_SEARCH_OVERSAMPLING = 10;

/**
 * The simulated world's traces through the same interface as Jaeger: requests sampled across the
 * window, each following the estate's call graph from where it entered, with the world's latency and
 * errors at that moment (see trace-generator.ts). The same question asked twice gets the same traces.
 * With the catalogue, spans carry the catalogue's name for a deployment when exactly one catalogued
 * service is that deployment, as a real estate's instrumentation names services as the catalogue does.
 */
export class SimulatedTraces implements TraceSource {
  readonly kind = 'sim' as const;
  private readonly namesByDeployment = new Map<string, string>();

  constructor(
    private readonly world: SimWorld,
    private readonly catalogue?: Catalogue,
  ) {
    const names = new Map<string, string[]>();
    for (const service of Object.values(catalogue?.services ?? {})) {
      if (service.namespace !== world.namespace || !world.services().includes(service.deployment)) continue;
      names.set(service.deployment, [...(names.get(service.deployment) ?? []), service.name]);
    }
    for (const [deployment, catalogued] of names) if (catalogued.length === 1) this.namesByDeployment.set(deployment, catalogued[0]!);
  }

  async serviceStats(query: ServiceSpanStatsQuery): Promise<ServiceSpanStats[]> {
    return query.services.map((service) => {
      const deployment = this.deploymentOf(service);
      return { ...serviceSpanStats(deployment, this.tracesThrough(deployment, query, TRACES_PER_SERVICE).flat()), service };
    });
  }

  /** The edges of traces through each service asked about (every service of the world by default), as Jaeger's fallback reads them. */
  async callGraph(query: CallGraphQuery): Promise<CallEdge[]> {
    const deployments = query.services
      ? [...new Set(query.services.map((service) => cataloguedDeployment(this.world, this.catalogue, service)))].filter((deployment) => this.world.services().includes(deployment))
      : this.world.services();
    const edges = deployments.map((deployment) => callEdges(this.tracesThrough(deployment, query, CALL_GRAPH_TRACES_PER_SERVICE).flat()));
    return mergeCallEdges(...edges).map((edge) => ({ ...edge, caller: this.nameOf(edge.caller), callee: this.nameOf(edge.callee) }));
  }

  async searchTraces(search: TraceSearch): Promise<TraceSummary[]> {
    const deployment = this.deploymentOf(search.service);
    const limit = search.limit ?? DEFAULT_SEARCH_LIMIT;
    const filtered = search.errorsOnly === true || search.minimumDurationMilliseconds !== undefined || search.operation !== undefined;
    const traces = this.tracesThrough(deployment, search, filtered ? limit * FILTERED_SEARCH_OVERSAMPLING : limit).filter(
      (spans) =>
        // As Jaeger's tag search: the asked service's own span failed, not just any span of the trace.
        (!search.errorsOnly || spans.some((span) => span.service === deployment && span.error)) &&
        (search.operation === undefined || spans.some((span) => span.service === deployment && span.operation === search.operation)),
    );
    const summaries = summariseTraces(traces.flat().map((span) => this.named(span)));
    return summaries.filter((trace) => search.minimumDurationMilliseconds === undefined || trace.durationMilliseconds >= search.minimumDurationMilliseconds).slice(0, limit);
  }

  /** `count` traces through a deployment, spread across the window up to the world's now, newest first. */
  private tracesThrough(deployment: string, window: TraceWindow, count: number): Span[][] {
    const start = window.start.getTime();
    const end = Math.min(window.end.getTime(), this.world.clock.now());
    if (!(end > start) || count <= 0) return [];
    const spacing = (end - start) / count;
    const traces: Span[][] = [];
    for (let index = 0; index < count; index += 1) {
      const time = Math.round(end - (index + uniform(this.world.seed, 'trace-time', deployment, start, end, index)) * spacing);
      const key = `${deployment}|${time}`;
      traces.push(traceSpans(this.world, pathTo(deployment, this.world.seed, key), time, key));
    }
    return traces;
  }

  private deploymentOf(service: string): string {
    const deployment = cataloguedDeployment(this.world, this.catalogue, service);
    // Refuses a service the world does not run, with the world's usual not-found error.
    this.world.profile(deployment);
    return deployment;
  }

  private nameOf(deployment: string): string {
    return this.namesByDeployment.get(deployment) ?? deployment;
  }

  private named(span: Span): Span {
    return { ...span, service: this.nameOf(span.service) };
  }
}
