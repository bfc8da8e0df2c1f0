import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAXIMUM_TOOL_OUTPUT_CHARACTERS } from '../../../src/agent/tool.js';
import { renderQuery } from '../../../src/catalogue.js';
import { catalogue, cleanUp, harness, redis } from './tool-harness.js';

afterEach(cleanUp);
afterAll(() => redis.disconnect());

describe('service_metrics', () => {
  it('shows the database latency rise against the hour before, with the PromQL behind it', async () => {
    const { call } = harness({ scenario: 'db-pool-exhaustion' });
    const result = await call('service_metrics', { service: 'database', signal: 'latency_p95' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^database latency_p95 \(95th percentile request latency\), 18:00–19:00 UTC/);
    // The pool ran dry 20 minutes ago: the window's median is many times the quiet hour before.
    const ratio = Number(/last is x(\d+(?:\.\d+)?) that median/.exec(result.output)?.[1]);
    expect(ratio).toBeGreaterThan(10);
    // …and when it began, which the window's median (40 quiet minutes of 60) would hide.
    const since = /outside the hour before's range since 18:(\d\d)/.exec(result.output)?.[1];
    expect(Number(since)).toBeGreaterThanOrEqual(40);
    expect(Number(since)).toBeLessThanOrEqual(42);
    expect(result.output).toMatch(/profile: 18:00 .* 19:00 /);
    expect(result.queries).toEqual([
      { kind: 'promql', text: renderQuery(catalogue, catalogue.services.database!, 'latency_p95', { window: '90s' }), start: Date.UTC(2026, 10, 24, 18), end: Date.UTC(2026, 10, 24, 19) },
    ]);
    expect(result.services).toEqual(['database']);
    expect(result.output.length).toBeLessThanOrEqual(MAXIMUM_TOOL_OUTPUT_CHARACTERS);
  });

  it('states units: memory in MiB or GiB, error rate in percent', async () => {
    const { call } = harness({ scenario: 'bad-deploy' });
    expect((await call('service_metrics', { service: 'cart', signal: 'memory', minutes: 30 })).output).toMatch(/last [\d.]+ (MiB|GiB)/);
    expect((await call('service_metrics', { service: 'payment', signal: 'error_rate' })).output).toMatch(/last [\d.]+%/);
  });

  it('names the known services when the service is unknown', async () => {
    const { call } = harness();
    const result = await call('service_metrics', { service: 'order-servce', signal: 'cpu' });
    expect(result.status).toBe('error');
    expect(result.output).toBe(`Unknown service "order-servce"; known services: ${Object.keys(catalogue.services).sort().join(', ')}. Did you mean order-service?`);
  });

  it('takes a catalogue alias for its service, as a question names it', async () => {
    const { call } = harness();
    // "orders" is order-service's alias in the example catalogue, and "db" the database's.
    const result = await call('service_metrics', { service: 'orders', signal: 'cpu' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^order-service cpu /);
    expect(result.services).toEqual(['order-service']);
    const ranked: string[][] = [];
    const { call: callRanking } = harness({ overrides: { rankRootCauses: async (services) => (ranked.push(services), { ranking: [] }) } });
    await callRanking('rank_root_causes', { services: ['Orders', 'db', 'cart'] });
    expect(ranked).toEqual([['order-service', 'database', 'cart']]);
  });

  it('returns an error status, never a throw, when the source fails', async () => {
    const { call, metrics } = harness({ overrides: {} });
    metrics.range = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9090');
    };
    const result = await call('service_metrics', { service: 'cart', signal: 'cpu' });
    expect(result).toMatchObject({ status: 'error', output: 'The simulated world did not answer: connect ECONNREFUSED 127.0.0.1:9090' });
  });
});

describe('promql_query', () => {
  it('summarises each series of a raw query', async () => {
    const { call } = harness({ scenario: 'db-pool-exhaustion' });
    const expression = renderQuery(catalogue, catalogue.services['order-service']!, 'latency_p95', { window: '5m' });
    const result = await call('promql_query', { expression, minutes: 30 });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^1 series, 18:30–19:00 UTC, 15 s steps; by last value:\n- \{service="order-service",signal="latency_p95"\}: last [\d.]+ at 19:00; min/);
    expect(result.queries?.[0]).toMatchObject({ kind: 'promql', text: expression });
  });

  it('says the simulated world cannot run arbitrary PromQL, as a status', async () => {
    const { call } = harness();
    const result = await call('promql_query', { expression: 'up' });
    expect(result.status).toBe('error');
    expect(result.output).toMatch(/^The simulated world could not answer: the simulated world answers only the catalogue's own queries \(set PROMETHEUS_URL/);
  });
});

describe('list_metrics', () => {
  it('lists the names the simulated world exports, filtered', async () => {
    const { call } = harness();
    const all = await call('list_metrics');
    expect(all.status).toBe('ok');
    expect(all.output).toContain('http_requests_total');
    expect(all.output).toContain('container_memory_working_set_bytes');
    const memory = await call('list_metrics', { filter: 'MEMORY' });
    expect(memory.output).toBe('1 metric names containing "memory":\ncontainer_memory_working_set_bytes');
    expect((await call('list_metrics', { filter: 'no_such_metric' })).status).toBe('no-data');
  });
});
