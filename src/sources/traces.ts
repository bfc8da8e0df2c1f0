/**
 * Distributed traces, whatever backend holds them (Jaeger's query API, the simulated world).
 * Times are milliseconds since the Unix epoch, durations milliseconds, throughout.
 */

/** One span, as every backend's spans are read into. */
export interface Span {
  traceId: string;
  spanId: string;
  /** The span this one is a child of; absent for a trace's root. */
  parentSpanId?: string;
  service: string;
  operation: string;
  start: number;
  durationMilliseconds: number;
  /** The span recorded a failure (an `error` tag, an OpenTelemetry error status, or an HTTP 5xx). */
  error: boolean;
}

export interface TraceWindow {
  start: Date;
  end: Date;
}

export interface ServiceSpanStatsQuery extends TraceWindow {
  services: string[];
}

/** A service's requests as its traces show them: the spans where a request enters the service. */
export interface ServiceSpanStats {
  service: string;
  /** Traces read for the service: backends sample, so this is how much the numbers rest on. */
  traces: number;
  /** Requests entering the service in those traces. */
  requests: number;
  errors: number;
  /** errors / requests; 0 when there were no requests. */
  errorRate: number;
  /** Latency percentiles of those requests; NaN when there were none. */
  latencyP50Milliseconds: number;
  latencyP95Milliseconds: number;
  latencyP99Milliseconds: number;
}

/** One caller → callee edge of the call graph, as traces show it. */
export interface CallEdge {
  caller: string;
  callee: string;
  /** Calls seen in the traces read (Jaeger's dependency store counts all of them). */
  calls: number;
}

export interface CallGraphQuery extends TraceWindow {
  /** Read traces of these services when the backend has no stored dependency graph (default: every service it knows). */
  services?: string[];
}

export interface TraceSearch extends TraceWindow {
  service: string;
  /** Only traces with a span of this operation in the service. */
  operation?: string;
  /** Only traces with a failed span. */
  errorsOnly?: boolean;
  /** Only traces at least this long. */
  minimumDurationMilliseconds?: number;
  /** Newest first; at most this many (default 20). */
  limit?: number;
}

/** A trace in a few fields: enough to tell a failing or slow request from the others. */
export interface TraceSummary {
  traceId: string;
  /** The root span's service and operation: where the request entered the estate. */
  rootService: string;
  rootOperation: string;
  start: number;
  durationMilliseconds: number;
  spanCount: number;
  errorSpanCount: number;
  /** Every service the trace touched, sorted. */
  services: string[];
  /**
   * The deepest failed span (a failure's origin: its callers fail because it did), when any span failed.
   * Spans of equal depth: the earliest.
   */
  deepestError?: { service: string; operation: string };
  /** The service whose own work (its spans' time less their children's) was longest. */
  slowestService: { service: string; selfMilliseconds: number };
}

/**
 * Traces by service. Implementations answer from the spans they read, so every number comes with
 * how many traces it rests on.
 */
export interface TraceSource {
  readonly kind: 'jaeger' | 'sim';
  /** Error rate and latency percentiles of requests entering each service over the window. */
  serviceStats(query: ServiceSpanStatsQuery): Promise<ServiceSpanStats[]>;
  /** Caller → callee edges seen over the window, most calls first. */
  callGraph(query: CallGraphQuery): Promise<CallEdge[]>;
  /** Traces through a service, newest first. */
  searchTraces(search: TraceSearch): Promise<TraceSummary[]>;
}
