/**
 * Spans in, numbers out: what every trace backend's adapter (Jaeger, the simulated world) computes
 * from the spans it read, written once so that both answer alike. Pure: no I/O, no clock.
 */
import { quantile } from '../rca/robust-z.js';
import type { CallEdge, ServiceSpanStats, Span, TraceSummary } from './traces.js';

/** Spans by trace, then by span id: parents are looked up within their own trace only. */
function byTrace(spans: readonly Span[]): Map<string, Map<string, Span>> {
  const traces = new Map<string, Map<string, Span>>();
  for (const span of spans) {
    let trace = traces.get(span.traceId);
    if (!trace) traces.set(span.traceId, (trace = new Map()));
    trace.set(span.spanId, span);
  }
  return traces;
}

/**
 * Spans where a request enters a service: a root, a span whose parent belongs to another service,
 * or one whose parent the backend did not return (a trace cut by sampling or retention). A
 * service's internal spans (a database call inside a handler) are not requests to it, and counting
 * them would weigh a service by how finely it is instrumented.
 */
export function entrySpans(spans: readonly Span[]): Span[] {
  const traces = byTrace(spans);
  return spans.filter((span) => {
    const parent = span.parentSpanId === undefined ? undefined : traces.get(span.traceId)?.get(span.parentSpanId);
    return parent === undefined || parent.service !== span.service;
  });
}

/** The requests entering `service` in these spans: how many, how many failed, how long they took. */
export function serviceSpanStats(service: string, spans: readonly Span[]): ServiceSpanStats {
  const requests = entrySpans(spans).filter((span) => span.service === service);
  const durations = requests.map((span) => span.durationMilliseconds);
  const errors = requests.filter((span) => span.error).length;
  return {
    service,
    traces: new Set(spans.map((span) => span.traceId)).size,
    requests: requests.length,
    errors,
    errorRate: requests.length > 0 ? errors / requests.length : 0,
    latencyP50Milliseconds: quantile(durations, 0.5),
    latencyP95Milliseconds: quantile(durations, 0.95),
    latencyP99Milliseconds: quantile(durations, 0.99),
  };
}

/**
 * Caller → callee edges: each span whose parent (its CHILD_OF reference) belongs to another
 * service is one call from the parent's service to its own. With OpenTelemetry's client and server
 * spans the client span is the caller's and the server span its child, so a call still counts once.
 * Most calls first; ties by name, so the order is stable.
 */
export function callEdges(spans: readonly Span[]): CallEdge[] {
  const traces = byTrace(spans);
  const counts = new Map<string, CallEdge>();
  for (const span of spans) {
    if (span.parentSpanId === undefined) continue;
    const parent = traces.get(span.traceId)?.get(span.parentSpanId);
    if (!parent || parent.service === span.service) continue;
    const key = `${parent.service}\0${span.service}`;
    const edge = counts.get(key);
    if (edge) edge.calls += 1;
    else counts.set(key, { caller: parent.service, callee: span.service, calls: 1 });
  }
  return [...counts.values()].sort((left, right) => right.calls - left.calls || left.caller.localeCompare(right.caller) || left.callee.localeCompare(right.callee));
}

/** Edges from several reads as one list: the same caller and callee once, their calls added. */
export function mergeCallEdges(...lists: ReadonlyArray<readonly CallEdge[]>): CallEdge[] {
  const merged = new Map<string, CallEdge>();
  for (const edge of lists.flat()) {
    const key = `${edge.caller}\0${edge.callee}`;
    const seen = merged.get(key);
    if (seen) seen.calls += edge.calls;
    else merged.set(key, { ...edge });
  }
  return [...merged.values()].sort((left, right) => right.calls - left.calls || left.caller.localeCompare(right.caller) || left.callee.localeCompare(right.callee));
}

/** One summary per trace, newest first. */
export function summariseTraces(spans: readonly Span[]): TraceSummary[] {
  const summaries = [...byTrace(spans).values()].map(summariseTrace);
  return summaries.sort((left, right) => right.start - left.start || left.traceId.localeCompare(right.traceId));
}

function summariseTrace(trace: Map<string, Span>): TraceSummary {
  const spans = [...trace.values()];
  const children = new Map<string, Span[]>();
  for (const span of spans) {
    if (span.parentSpanId === undefined || !trace.has(span.parentSpanId)) continue;
    const siblings = children.get(span.parentSpanId) ?? [];
    siblings.push(span);
    children.set(span.parentSpanId, siblings);
  }
  const depths = new Map<string, number>();
  const depthOf = (span: Span): number => {
    const known = depths.get(span.spanId);
    if (known !== undefined) return known;
    // Marked before recursing: a reference cycle in a broken trace then ends instead of overflowing.
    depths.set(span.spanId, 0);
    const parent = span.parentSpanId === undefined ? undefined : trace.get(span.parentSpanId);
    const depth = parent ? depthOf(parent) + 1 : 0;
    depths.set(span.spanId, depth);
    return depth;
  };
  // The root is the span without a parent in the trace; several (a cut trace): the earliest.
  const roots = spans.filter((span) => span.parentSpanId === undefined || !trace.has(span.parentSpanId)).sort((left, right) => left.start - right.start);
  const root = roots[0] ?? spans[0]!;
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.start + span.durationMilliseconds));
  const failed = spans.filter((span) => span.error).sort((left, right) => depthOf(right) - depthOf(left) || left.start - right.start);
  // Own work: a span's time less its children's (calls made in parallel make this a floor, never more than the truth).
  const selfTime = new Map<string, number>();
  for (const span of spans) {
    const waited = (children.get(span.spanId) ?? []).reduce((sum, child) => sum + child.durationMilliseconds, 0);
    selfTime.set(span.service, (selfTime.get(span.service) ?? 0) + Math.max(0, span.durationMilliseconds - waited));
  }
  const slowest = [...selfTime.entries()].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0]))[0]!;
  return {
    traceId: root.traceId,
    rootService: root.service,
    rootOperation: root.operation,
    start,
    durationMilliseconds: end - start,
    spanCount: spans.length,
    errorSpanCount: failed.length,
    services: [...new Set(spans.map((span) => span.service))].sort(),
    ...(failed[0] ? { deepestError: { service: failed[0].service, operation: failed[0].operation } } : {}),
    slowestService: { service: slowest[0], selfMilliseconds: slowest[1] },
  };
}
