import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the fake is given it: times in milliseconds, served in Jaeger's microseconds. */
export interface FakeSpan {
  spanId: string;
  service: string;
  operation: string;
  /** CHILD_OF this span of the same trace. */
  parent?: string;
  start: number;
  durationMilliseconds: number;
  /** Jaeger tags, e.g. `{ error: true }`, `{ 'http.status_code': 503 }`. */
  tags?: Record<string, string | number | boolean>;
}

export interface FakeTrace {
  traceId: string;
  spans: FakeSpan[];
}

/** One request the fake took. */
export interface JaegerRequest {
  path: string;
  query: Record<string, string>;
}

export interface FakeJaeger {
  /** The base URL, as JAEGER_URL names it. */
  url: string;
  requests(): JaegerRequest[];
  /** What `/api/dependencies` answers (Jaeger's stored graph); empty by default, as with Cassandra or Elasticsearch storage. */
  setDependencies(dependencies: Array<{ parent: string; child: string; callCount: number }>): void;
  /** Answers the next `count` requests with `status` and Jaeger's error body instead of handling them. */
  failNext(count: number, status: number, message: string): void;
  close(): Promise<void>;
}

/**
 * jaeger-query's HTTP JSON API on a local port, with the behaviour the adapter relies on:
 * `GET /api/services`; `GET /api/traces?service=…&start=<µs>&end=<µs>&limit=…` returning the newest
 * `limit` traces with a span of the service starting in the window, narrowed by `operation`,
 * `tags` (a JSON object; `{"error":"true"}` matches an `error` tag) and `minDuration` ("250ms",
 * "1.5s"), and a 400 with Jaeger's `{ errors: [{ code, msg }] }` body when `service` is missing;
 * `GET /api/dependencies?endTs=<ms>&lookback=<ms>`. Every answer is wrapped as `{ data, errors }`.
 */
export async function startFakeJaeger(traces: FakeTrace[]): Promise<FakeJaeger> {
  const requests: JaegerRequest[] = [];
  let dependencies: Array<{ parent: string; child: string; callCount: number }> = [];
  const failures: Array<{ status: number; message: string }> = [];

  const answer = (response: ServerResponse, status: number, data: unknown, errors?: Array<{ code: number; msg: string }>) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors: errors ?? null }));
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const failure = failures.shift();
    if (failure) return answer(response, failure.status, null, [{ code: failure.status, msg: failure.message }]);
    if (request.method !== 'GET') return answer(response, 405, null, [{ code: 405, msg: 'method not allowed' }]);
    switch (url.pathname) {
      case '/api/services':
        return answer(response, 200, [...new Set(traces.flatMap((trace) => trace.spans.map((span) => span.service)))]);
      case '/api/dependencies':
        if (!url.searchParams.get('endTs')) return answer(response, 400, null, [{ code: 400, msg: 'unable to parse param \'endTs\': strconv.ParseInt: parsing "": invalid syntax' }]);
        return answer(response, 200, dependencies);
      case '/api/traces': {
        const service = url.searchParams.get('service');
        if (!service) return answer(response, 400, null, [{ code: 400, msg: 'parameter \'service\' is required' }]);
        return answer(response, 200, searchTraces(traces, service, url.searchParams).map(jaegerTrace));
      }
      default:
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('404 page not found\n');
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...requests],
    setDependencies: (list) => void (dependencies = list),
    failNext: (count, status, message) => {
      for (let index = 0; index < count; index += 1) failures.push({ status, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function searchTraces(traces: FakeTrace[], service: string, parameters: URLSearchParams): FakeTrace[] {
  const start = Number(parameters.get('start') ?? 0) / 1000;
  const end = Number(parameters.get('end') ?? Number.MAX_SAFE_INTEGER) / 1000;
  const limit = Number(parameters.get('limit') ?? 20);
  const operation = parameters.get('operation');
  const tags = JSON.parse(parameters.get('tags') ?? '{}') as Record<string, string>;
  const minimum = parseGoDuration(parameters.get('minDuration'));
  const matches = traces.filter((trace) =>
    trace.spans.some(
      (span) =>
        span.service === service &&
        span.start >= start &&
        span.start <= end &&
        (!operation || span.operation === operation) &&
        Object.entries(tags).every(([key, value]) => String(span.tags?.[key]) === value) &&
        (minimum === undefined || span.durationMilliseconds >= minimum),
    ),
  );
  const startOf = (trace: FakeTrace) => Math.min(...trace.spans.map((span) => span.start));
  return matches.sort((left, right) => startOf(right) - startOf(left)).slice(0, limit);
}

/** Go's durations as Jaeger parses minDuration: "250ms", "1.5s", "2m" (milliseconds). */
function parseGoDuration(text: string | null): number | undefined {
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`fake Jaeger cannot parse minDuration ${text}`);
  const scale = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms'];
  return Number(match[1]) * scale;
}

/** Jaeger's JSON model of a trace: spans with microsecond times, services through `processes`. */
function jaegerTrace(trace: FakeTrace) {
  const services = [...new Set(trace.spans.map((span) => span.service))];
  const processId = (service: string) => `p${services.indexOf(service) + 1}`;
  return {
    traceID: trace.traceId,
    spans: trace.spans.map((span) => ({
      traceID: trace.traceId,
      spanID: span.spanId,
      flags: 1,
      operationName: span.operation,
      references: span.parent ? [{ refType: 'CHILD_OF', traceID: trace.traceId, spanID: span.parent }] : [],
      startTime: Math.round(span.start * 1000),
      duration: Math.round(span.durationMilliseconds * 1000),
      tags: Object.entries(span.tags ?? {}).map(([key, value]) => ({ key, type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string', value })),
      logs: [],
      processID: processId(span.service),
      warnings: null,
    })),
    processes: Object.fromEntries(services.map((service) => [processId(service), { serviceName: service, tags: [] }])),
    warnings: null,
  };
}
