import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { JaegerTraces } from '../../src/sources/jaeger/jaeger-traces.js';
import { startFakeJaeger, type FakeJaeger, type FakeTrace } from '../fakes/jaeger.js';

const NOW = Date.UTC(2026, 10, 24, 19, 0, 0);
const MINUTE = 60_000;
const WINDOW = { start: new Date(NOW - 10 * MINUTE), end: new Date(NOW) };

/**
 * frontend → checkout → payment → database, instrumented as OpenTelemetry does: a client span in the
 * caller, the callee's server span its child. `checkout` and `payment` fail as told.
 */
function checkoutTrace(traceId: string, start: number, options: { checkoutTags?: FakeTrace['spans'][number]['tags']; paymentTags?: FakeTrace['spans'][number]['tags']; payment?: boolean; checkoutMilliseconds?: number } = {}): FakeTrace {
  const checkout = options.checkoutMilliseconds ?? 200;
  const spans: FakeTrace['spans'] = [
    { spanId: `${traceId}01`, service: 'frontend', operation: 'GET /', start, durationMilliseconds: checkout + 30, tags: { 'span.kind': 'server' } },
    { spanId: `${traceId}02`, service: 'frontend', operation: 'POST checkout', parent: `${traceId}01`, start: start + 5, durationMilliseconds: checkout + 10, tags: { 'span.kind': 'client' } },
    { spanId: `${traceId}03`, service: 'checkout', operation: 'POST /checkout', parent: `${traceId}02`, start: start + 6, durationMilliseconds: checkout, tags: { 'span.kind': 'server', ...options.checkoutTags } },
  ];
  if (options.payment !== false) {
    spans.push(
      { spanId: `${traceId}04`, service: 'checkout', operation: 'POST charges', parent: `${traceId}03`, start: start + 10, durationMilliseconds: checkout - 40, tags: { 'span.kind': 'client' } },
      { spanId: `${traceId}05`, service: 'payment', operation: 'POST /charges', parent: `${traceId}04`, start: start + 11, durationMilliseconds: checkout - 50, tags: { 'span.kind': 'server', ...options.paymentTags } },
      { spanId: `${traceId}06`, service: 'database', operation: 'SELECT', parent: `${traceId}05`, start: start + 20, durationMilliseconds: 5 },
    );
  }
  return { traceId, spans };
}

const TRACES: FakeTrace[] = [
  // A minute ago: payment failed (OpenTelemetry status), and checkout with it (Jaeger's error tag).
  checkoutTrace('a1', NOW - 1 * MINUTE, { checkoutTags: { error: true }, paymentTags: { 'otel.status_code': 'ERROR' }, checkoutMilliseconds: 900 }),
  // Two minutes ago: all well.
  checkoutTrace('b2', NOW - 2 * MINUTE, { paymentTags: { 'http.status_code': 200 }, checkoutMilliseconds: 300 }),
  // Three minutes ago: checkout answered 503 before calling payment.
  checkoutTrace('c3', NOW - 3 * MINUTE, { checkoutTags: { 'http.status_code': 503 }, payment: false, checkoutMilliseconds: 100 }),
  // Two hours ago: outside every window asked about here.
  checkoutTrace('d4', NOW - 120 * MINUTE, { checkoutTags: { error: true } }),
];

let jaeger: FakeJaeger;
let traces: JaegerTraces;

beforeAll(async () => {
  jaeger = await startFakeJaeger(TRACES);
});
afterAll(() => jaeger.close());
beforeEach(() => {
  jaeger.setDependencies([]);
  traces = new JaegerTraces({ url: jaeger.url, attempts: 2, timeoutMilliseconds: 2_000 });
});

/** The requests made since `before` requests had been taken. */
const requestsSince = (before: number) => jaeger.requests().slice(before);

describe('JaegerTraces against the query API', () => {
  it('reads each service\'s traces in the window (µs, lookback=custom) and counts each cross-service call once, even across searches', async () => {
    const before = jaeger.requests().length;
    const edges = await traces.callGraph({ ...WINDOW, services: ['frontend', 'checkout', 'payment'] });
    expect(edges).toEqual([
      { caller: 'frontend', callee: 'checkout', calls: 3 },
      { caller: 'checkout', callee: 'payment', calls: 2 },
      { caller: 'payment', callee: 'database', calls: 2 },
    ]);
    const requests = requestsSince(before);
    expect(requests[0]).toEqual({ path: '/api/dependencies', query: { endTs: String(NOW), lookback: String(10 * MINUTE) } });
    expect(requests.slice(1).map((request) => request.query.service).sort()).toEqual(['checkout', 'frontend', 'payment']);
    for (const request of requests.slice(1)) {
      expect(request).toMatchObject({ path: '/api/traces', query: { start: String((NOW - 10 * MINUTE) * 1000), end: String(NOW * 1000), lookback: 'custom', limit: '100' } });
    }
  });

  it('uses Jaeger\'s stored dependency graph when it has one, without reading traces', async () => {
    jaeger.setDependencies([
      { parent: 'checkout', child: 'payment', callCount: 40 },
      { parent: 'frontend', child: 'checkout', callCount: 120 },
    ]);
    const before = jaeger.requests().length;
    expect(await traces.callGraph(WINDOW)).toEqual([
      { caller: 'frontend', callee: 'checkout', calls: 120 },
      { caller: 'checkout', callee: 'payment', calls: 40 },
    ]);
    expect(requestsSince(before).map((request) => request.path)).toEqual(['/api/dependencies']);
  });

  it('falls back to the traces of every service Jaeger knows when the store has no dependencies endpoint (404)', async () => {
    jaeger.failNext(1, 404, 'not found');
    const before = jaeger.requests().length;
    const edges = await traces.callGraph(WINDOW);
    expect(edges.map((edge) => `${edge.caller}→${edge.callee}`)).toEqual(['frontend→checkout', 'checkout→payment', 'payment→database']);
    expect(requestsSince(before).map((request) => request.path)).toContain('/api/services');
  });

  it('computes error rate and latency percentiles from the requests entering each service, not its client spans', async () => {
    const [frontend, checkout, payment] = await traces.serviceStats({ ...WINDOW, services: ['frontend', 'checkout', 'payment'] });
    expect(frontend).toMatchObject({ service: 'frontend', traces: 3, requests: 3, errors: 0, errorRate: 0 });
    // a1 has Jaeger's error tag, c3 answered 503; b2 is fine.
    expect(checkout).toMatchObject({ service: 'checkout', traces: 3, requests: 3, errors: 2 });
    expect(checkout!.errorRate).toBeCloseTo(2 / 3);
    expect(checkout!.latencyP50Milliseconds).toBeCloseTo(300);
    expect(checkout!.latencyP95Milliseconds).toBeGreaterThan(800);
    // The OpenTelemetry error status counts; an HTTP 200 does not.
    expect(payment).toMatchObject({ service: 'payment', traces: 2, requests: 2, errors: 1, errorRate: 0.5 });
  });

  it('finds failing traces with Jaeger\'s error tag and names the deepest failed span', async () => {
    const before = jaeger.requests().length;
    const found = await traces.searchTraces({ ...WINDOW, service: 'checkout', errorsOnly: true, minimumDurationMilliseconds: 250, limit: 5 });
    expect(requestsSince(before)[0]!.query).toMatchObject({ service: 'checkout', tags: '{"error":"true"}', minDuration: '250ms', limit: '5' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      traceId: 'a1',
      rootService: 'frontend',
      rootOperation: 'GET /',
      start: NOW - MINUTE,
      durationMilliseconds: 930,
      spanCount: 6,
      errorSpanCount: 2,
      services: ['checkout', 'database', 'frontend', 'payment'],
      deepestError: { service: 'payment', operation: 'POST /charges' },
      slowestService: { service: 'payment' },
    });
  });

  it('lists traces newest first', async () => {
    const found = await traces.searchTraces({ ...WINDOW, service: 'frontend' });
    expect(found.map((trace) => trace.traceId)).toEqual(['a1', 'b2', 'c3']);
  });
});

describe('JaegerTraces failures', () => {
  const oneLine = async (promise: Promise<unknown>): Promise<AiopsError> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AiopsError);
    const message = (error as AiopsError).toOneLine();
    expect(message).not.toContain('\n');
    expect(message).toContain('JAEGER_URL');
    return error as AiopsError;
  };

  it('retries a 500 and then says which call failed and why, in one line naming JAEGER_URL', async () => {
    jaeger.failNext(2, 500, 'storage unavailable:\ncassandra timed out');
    const before = jaeger.requests().length;
    const error = await oneLine(traces.searchTraces({ ...WINDOW, service: 'checkout' }));
    expect(error.toOneLine()).toBe('jaeger: traces of checkout failed: HTTP 500: storage unavailable: (check JAEGER_URL)');
    expect(requestsSince(before)).toHaveLength(2);
  });

  it('does not retry a 400: the request is wrong, asking again changes nothing', async () => {
    jaeger.failNext(1, 400, 'parameter \'service\' is required');
    const before = jaeger.requests().length;
    const error = await oneLine(traces.serviceStats({ ...WINDOW, services: ['checkout'] }));
    expect(error.toOneLine()).toContain("HTTP 400: parameter 'service' is required");
    expect(requestsSince(before)).toHaveLength(1);
  });

  it('says when nothing listens at JAEGER_URL', async () => {
    const closed = await startFakeJaeger([]);
    await closed.close();
    const error = await oneLine(new JaegerTraces({ url: closed.url, attempts: 1 }).callGraph(WINDOW));
    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.toOneLine()).toMatch(/^jaeger: dependencies failed: fetch failed \(check JAEGER_URL\)$/);
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const error = await oneLine(new JaegerTraces({ url, attempts: 1, timeoutMilliseconds: 200 }).searchTraces({ ...WINDOW, service: 'checkout' }));
      expect(error.code).toBe(ErrorCode.SourceTimeout);
      expect(error.toOneLine()).toBe('jaeger: traces of checkout timed out after 1 attempts of 200 ms (check JAEGER_URL)');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses an answer that is not Jaeger\'s JSON (JAEGER_URL pointing at something else)', async () => {
    const page = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Grafana</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
      const error = await oneLine(new JaegerTraces({ url }).searchTraces({ ...WINDOW, service: 'checkout' }));
      expect(error.code).toBe(ErrorCode.SourceBadResponse);
      expect(error.toOneLine()).toBe("jaeger: traces of checkout answered with something other than Jaeger's JSON: <!doctype html><title>Grafana</title> (check JAEGER_URL)");
    } finally {
      await new Promise<void>((resolve) => page.close(() => resolve()));
    }
  });

  it('keeps a path prefix in JAEGER_URL (jaeger-query behind a proxy at /jaeger/)', async () => {
    const before = jaeger.requests().length;
    const error = await oneLine(new JaegerTraces({ url: `${jaeger.url}/jaeger`, attempts: 1 }).searchTraces({ ...WINDOW, service: 'checkout' }));
    expect(requestsSince(before).map((request) => request.path)).toEqual(['/jaeger/api/traces']);
    expect(error.toOneLine()).toBe('jaeger: traces of checkout failed: HTTP 404: 404 page not found (check JAEGER_URL)');
  });

  it('refuses a JAEGER_URL that is not http(s) when built', () => {
    expect(() => new JaegerTraces({ url: 'jaeger-query:16686' })).toThrow('JAEGER_URL: expected an http(s) URL, got "jaeger-query:16686"');
  });
});
