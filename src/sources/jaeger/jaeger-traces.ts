import { AiopsError, ErrorCode, configError } from '../../errors.js';
import { redactedExcerpt } from '../../redact-secrets.js';
import { httpStatusOf, withRetry } from '../retry.js';
import { callEdges, serviceSpanStats, summariseTraces } from '../trace-aggregation.js';
import type { CallEdge, CallGraphQuery, ServiceSpanStats, ServiceSpanStatsQuery, Span, TraceSearch, TraceSource, TraceSummary } from '../traces.js';

export interface JaegerTracesOptions {
  /** Base URL of jaeger-query (JAEGER_URL), e.g. `http://jaeger-query:16686`; a path prefix is kept. */
  url: string;
  /** Per-attempt time limit in milliseconds (default 10 000). */
  timeoutMilliseconds?: number;
  /** Attempts per request, the first included (default 2: a trace read is evidence, not worth a long wait). */
  attempts?: number;
  /** Traces read per service for statistics and for a call graph found from traces (default 100). */
  tracesPerService?: number;
  /** Services whose traces are read at once (default 4), so a large estate does not flood jaeger-query. */
  concurrency?: number;
}

const DEFAULTS = { timeoutMilliseconds: 10_000, attempts: 2, tracesPerService: 100, concurrency: 4 };
const DEFAULT_SEARCH_LIMIT = 20;
const BACKEND = 'jaeger';
const HINT = 'check JAEGER_URL';

/** The parts of Jaeger's JSON model (`/api/traces`) read here. */
interface JaegerTag {
  key: string;
  value: unknown;
}
interface JaegerReference {
  refType: string;
  traceID: string;
  spanID: string;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: JaegerReference[] | null;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerTag[] | null;
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}
interface JaegerDependency {
  parent: string;
  child: string;
  callCount: number;
}

/**
 * Traces from jaeger-query's HTTP JSON API, the one the Jaeger UI reads: `GET /api/services`,
 * `GET /api/traces` and `GET /api/dependencies`. That API is not versioned as stable, but it is what
 * every Jaeger release and several Jaeger-compatible stores (Tempo's Jaeger query, GreptimeDB) answer.
 */
export class JaegerTraces implements TraceSource {
  readonly kind = 'jaeger' as const;
  private readonly settings: Required<JaegerTracesOptions>;
  private readonly base: URL;

  constructor(options: JaegerTracesOptions) {
    this.settings = { ...DEFAULTS, ...options };
    if (!/^https?:\/\/[^/]/.test(this.settings.url)) throw configError('JAEGER_URL', `expected an http(s) URL, got "${this.settings.url}"`);
    // A trailing slash, so that `api/…` resolves under a path prefix (a proxy's /jaeger/) instead of replacing it.
    this.base = new URL(this.settings.url.endsWith('/') ? this.settings.url : `${this.settings.url}/`);
  }

  async serviceStats(query: ServiceSpanStatsQuery): Promise<ServiceSpanStats[]> {
    return this.eachService(query.services, async (service) => {
      const spans = await this.spansOf({ service, start: query.start, end: query.end }, this.settings.tracesPerService);
      return serviceSpanStats(service, spans);
    });
  }

  /**
   * Jaeger's own dependency graph when it has one; otherwise the edges of recent traces. The
   * dependency graph is complete (every call counted) but only Jaeger's in-memory and Badger stores
   * compute it on the fly: with Cassandra or Elasticsearch it is empty until a separate job fills it.
   */
  async callGraph(query: CallGraphQuery): Promise<CallEdge[]> {
    const stored = await this.storedDependencies(query);
    if (stored.length > 0) return stored;
    const services = query.services ?? (await this.services());
    const perService = await this.eachService(services, (service) => this.spansOf({ service, start: query.start, end: query.end }, this.settings.tracesPerService));
    // A trace through several of the services is returned once per service: count its calls once.
    const seen = new Set<string>();
    const spans = perService.flat().filter((span) => {
      const key = `${span.traceId}\0${span.spanId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return callEdges(spans);
  }

  async searchTraces(search: TraceSearch): Promise<TraceSummary[]> {
    const limit = search.limit ?? DEFAULT_SEARCH_LIMIT;
    const spans = await this.spansOf(search, limit);
    const summaries = summariseTraces(spans).filter(
      (trace) =>
        (!search.errorsOnly || trace.errorSpanCount > 0) &&
        (search.minimumDurationMilliseconds === undefined || trace.durationMilliseconds >= search.minimumDurationMilliseconds),
    );
    return summaries.slice(0, limit);
  }

  /** Every service Jaeger has spans of. */
  async services(): Promise<string[]> {
    const data = await this.get<string[] | null>('services', 'api/services', {});
    return [...(data ?? [])].sort();
  }

  private async storedDependencies(query: CallGraphQuery): Promise<CallEdge[]> {
    const end = query.end.getTime();
    let data: JaegerDependency[] | null;
    try {
      data = await this.get<JaegerDependency[] | null>('dependencies', 'api/dependencies', { endTs: String(end), lookback: String(Math.max(0, end - query.start.getTime())) });
    } catch (error) {
      // A Jaeger-compatible store without the endpoint (404) still has traces to read the graph from.
      const status = error instanceof AiopsError ? httpStatusOf(error.cause) : undefined;
      if (status !== undefined && status >= 400 && status < 500) return [];
      throw error;
    }
    return (data ?? [])
      .filter((dependency) => dependency.parent !== dependency.child && dependency.callCount > 0)
      .map((dependency) => ({ caller: dependency.parent, callee: dependency.child, calls: dependency.callCount }))
      .sort((left, right) => right.calls - left.calls || left.caller.localeCompare(right.caller) || left.callee.localeCompare(right.callee));
  }

  private async spansOf(search: TraceSearch, limit: number): Promise<Span[]> {
    const parameters: Record<string, string> = {
      service: search.service,
      // Jaeger reads start and end in microseconds; lookback=custom tells it the window is explicit.
      start: String(search.start.getTime() * 1000),
      end: String(search.end.getTime() * 1000),
      lookback: 'custom',
      limit: String(limit),
    };
    if (search.operation) parameters.operation = search.operation;
    if (search.errorsOnly) parameters.tags = JSON.stringify({ error: 'true' });
    if (search.minimumDurationMilliseconds !== undefined) parameters.minDuration = `${Math.max(0, Math.round(search.minimumDurationMilliseconds))}ms`;
    const traces = await this.get<JaegerTrace[] | null>(`traces of ${search.service}`, 'api/traces', parameters);
    return (traces ?? []).flatMap(spansOfTrace);
  }

  /** Runs `read` for each service, a few at a time, results in the services' order. */
  private async eachService<T>(services: readonly string[], read: (service: string) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array(services.length);
    let next = 0;
    const worker = async () => {
      while (next < services.length) {
        const index = next++;
        results[index] = await read(services[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, services.length) }, worker));
    return results;
  }

  /** GET one endpoint; Jaeger wraps every answer as `{ data, errors }`. */
  private get<T>(operation: string, path: string, parameters: Record<string, string>): Promise<T> {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    return withRetry(
      operation,
      async (signal) => {
        const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
        const text = await response.text();
        let body: { data?: unknown; errors?: Array<{ code?: number; msg?: string }> | null } | undefined;
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          body = undefined;
        }
        const problem = body?.errors?.[0]?.msg;
        if (!response.ok) throw new JaegerHttpError(response.status, problem ?? firstLine(text));
        if (body === undefined || typeof body !== 'object' || body === null || !('data' in body)) {
          throw new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: ${operation} answered with something other than Jaeger's JSON: ${firstLine(text) || 'an empty body'}`, {
            backend: BACKEND,
            hint: HINT,
          });
        }
        if (problem) throw new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: ${operation} failed: ${firstLine(problem)}`, { backend: BACKEND, hint: HINT });
        return body.data as T;
      },
      { backend: BACKEND, hint: HINT, attempts: this.settings.attempts, timeoutMilliseconds: this.settings.timeoutMilliseconds },
    );
  }
}

/** An HTTP failure whose status withRetry reads: 5xx retried, 4xx (a bad request) not. */
class JaegerHttpError extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`HTTP ${status}${reason ? `: ${reason}` : ''}`);
  }
}

/** A Jaeger trace's spans, each with its service and its parent (the CHILD_OF reference; FOLLOWS_FROM when none). */
function spansOfTrace(trace: JaegerTrace): Span[] {
  return (trace.spans ?? []).map((span) => {
    const references = (span.references ?? []).filter((reference) => reference.traceID === span.traceID);
    const parent = references.find((reference) => reference.refType === 'CHILD_OF') ?? references.find((reference) => reference.refType === 'FOLLOWS_FROM');
    return {
      traceId: span.traceID,
      spanId: span.spanID,
      ...(parent ? { parentSpanId: parent.spanID } : {}),
      service: trace.processes?.[span.processID]?.serviceName ?? 'unknown',
      operation: span.operationName,
      start: span.startTime / 1000,
      durationMilliseconds: span.duration / 1000,
      error: failed(span.tags ?? []),
    };
  });
}

/** Jaeger marks failures with an `error` tag; OpenTelemetry spans carry their status, and HTTP servers a 5xx. */
function failed(tags: readonly JaegerTag[]): boolean {
  const tag = (key: string) => tags.find((candidate) => candidate.key === key)?.value;
  const error = tag('error');
  if (error === true || error === 'true') return true;
  if (tag('otel.status_code') === 'ERROR') return true;
  const status = Number(tag('http.status_code') ?? tag('http.response.status_code'));
  return Number.isFinite(status) && status >= 500;
}

function firstLine(text: string): string {
  return redactedExcerpt((text.split('\n')[0] ?? '').trim(), 200);
}
