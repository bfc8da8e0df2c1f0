import { describe, expect, it } from 'vitest';
import { callEdges, entrySpans, mergeCallEdges, serviceSpanStats, summariseTraces } from '../../src/sources/trace-aggregation.js';
import type { Span } from '../../src/sources/traces.js';

const span = (traceId: string, spanId: string, service: string, fields: Partial<Span> = {}): Span => ({
  traceId,
  spanId,
  service,
  operation: fields.operation ?? 'handle',
  start: fields.start ?? 0,
  durationMilliseconds: fields.durationMilliseconds ?? 10,
  error: fields.error ?? false,
  ...(fields.parentSpanId ? { parentSpanId: fields.parentSpanId } : {}),
});

/** api → orders (server span with an internal child) → database, twice; api → users once. */
const SPANS: Span[] = [
  span('t1', 'a', 'api', { durationMilliseconds: 100, start: 1_000 }),
  span('t1', 'b', 'orders', { parentSpanId: 'a', durationMilliseconds: 80, start: 1_005 }),
  span('t1', 'c', 'orders', { parentSpanId: 'b', durationMilliseconds: 60, operation: 'validate', start: 1_006 }),
  span('t1', 'd', 'database', { parentSpanId: 'c', durationMilliseconds: 50, error: true, operation: 'SELECT', start: 1_010 }),
  span('t1', 'e', 'database', { parentSpanId: 'b', durationMilliseconds: 5, operation: 'SELECT', start: 1_070 }),
  span('t2', 'a', 'api', { durationMilliseconds: 40, start: 2_000 }),
  span('t2', 'b', 'users', { parentSpanId: 'a', durationMilliseconds: 30, start: 2_001 }),
  span('t2', 'c', 'orders', { parentSpanId: 'a', durationMilliseconds: 8, error: true, start: 2_002 }),
];

describe('entrySpans', () => {
  it('keeps roots and spans whose parent is another service or missing; drops a service\'s internal spans', () => {
    const cut = span('t3', 'x', 'orders', { parentSpanId: 'gone' });
    expect(entrySpans([...SPANS, cut]).map((each) => `${each.traceId}/${each.spanId}`)).toEqual(['t1/a', 't1/b', 't1/d', 't1/e', 't2/a', 't2/b', 't2/c', 't3/x']);
  });

  it('looks parents up within their own trace: the same span id in another trace is not a parent', () => {
    const other = span('t9', 'z', 'orders', { parentSpanId: 'c' });
    expect(entrySpans([...SPANS, other]).map((each) => each.spanId)).toContain('z');
  });
});

describe('serviceSpanStats', () => {
  it('counts the requests entering the service, its failures and its latency percentiles', () => {
    const orders = serviceSpanStats('orders', SPANS);
    expect(orders).toMatchObject({ service: 'orders', traces: 2, requests: 2, errors: 1, errorRate: 0.5 });
    expect(orders.latencyP50Milliseconds).toBe(44);
    expect(orders.latencyP95Milliseconds).toBeCloseTo(8 + 0.95 * 72);
    expect(serviceSpanStats('database', SPANS)).toMatchObject({ requests: 2, errors: 1 });
  });

  it('says there were no requests rather than inventing a rate', () => {
    const stats = serviceSpanStats('payment', SPANS);
    expect(stats).toMatchObject({ requests: 0, errors: 0, errorRate: 0 });
    expect(stats.latencyP95Milliseconds).toBeNaN();
  });
});

describe('callEdges', () => {
  it('turns every cross-service parent → child pair into a call, most calls first', () => {
    expect(callEdges(SPANS)).toEqual([
      { caller: 'api', callee: 'orders', calls: 2 },
      { caller: 'orders', callee: 'database', calls: 2 },
      { caller: 'api', callee: 'users', calls: 1 },
    ]);
  });

  it('finds no edge where a parent is missing from the trace', () => {
    expect(callEdges([span('t1', 'b', 'orders', { parentSpanId: 'absent' })])).toEqual([]);
  });
});

describe('mergeCallEdges', () => {
  it('adds the calls of an edge seen in several reads', () => {
    expect(
      mergeCallEdges(
        [{ caller: 'api', callee: 'orders', calls: 2 }],
        [
          { caller: 'api', callee: 'orders', calls: 3 },
          { caller: 'api', callee: 'users', calls: 9 },
        ],
      ),
    ).toEqual([
      { caller: 'api', callee: 'users', calls: 9 },
      { caller: 'api', callee: 'orders', calls: 5 },
    ]);
  });
});

describe('summariseTraces', () => {
  it('summarises each trace, newest first: root, length, failures at their deepest, where the time went', () => {
    const [second, first] = summariseTraces(SPANS);
    expect(first).toEqual({
      traceId: 't1',
      rootService: 'api',
      rootOperation: 'handle',
      start: 1_000,
      durationMilliseconds: 100,
      spanCount: 5,
      errorSpanCount: 1,
      services: ['api', 'database', 'orders'],
      deepestError: { service: 'database', operation: 'SELECT' },
      // database: 50 + 5 of its own; orders: (80 - 60 - 5) + (60 - 50) = 25; api: 100 - 80 = 20.
      slowestService: { service: 'database', selfMilliseconds: 55 },
    });
    expect(second).toMatchObject({ traceId: 't2', durationMilliseconds: 40, deepestError: { service: 'orders', operation: 'handle' }, slowestService: { service: 'users', selfMilliseconds: 30 } });
  });

  it('leaves deepestError out of a trace without failures', () => {
    const [summary] = summariseTraces([span('t1', 'a', 'api')]);
    expect(summary).not.toHaveProperty('deepestError');
  });

  it('survives a reference cycle in a broken trace', () => {
    const broken = [span('t1', 'a', 'api', { parentSpanId: 'b', error: true }), span('t1', 'b', 'orders', { parentSpanId: 'a', error: true })];
    expect(summariseTraces(broken)).toHaveLength(1);
  });
});
