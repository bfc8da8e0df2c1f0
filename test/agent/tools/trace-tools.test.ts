import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JaegerTraces } from '../../../src/sources/jaeger/jaeger-traces.js';
import { startFakeJaeger } from '../../fakes/jaeger.js';
import { cleanUp, harness, redis } from './tool-harness.js';

afterEach(cleanUp);
afterAll(() => redis.disconnect());

describe('search_traces', () => {
  it('shows a bad deploy as failing payment requests, the calls around payment, and failing traces that end at payment', async () => {
    const { call } = harness({ scenario: 'bad-deploy', faultMinutesAgo: 20 });
    const result = await call('search_traces', { service: 'payment', errorsOnly: true });
    expect(result.status).toBe('ok');
    const [summary, calls, heading, ...traces] = result.output.split('\n');
    const failed = /^Traces through payment, 18:45–19:00 UTC: (\d+) requests entered it in the 100 traces read, (\d+) failed \(([\d.]+)%\); latency p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms\.$/.exec(summary!);
    expect(failed, summary).not.toBeNull();
    expect(Number(failed![3])).toBeGreaterThan(20);
    expect(calls).toMatch(/^Calls the traces show: .*checkout → payment \(\d+\)/);
    expect(calls).toMatch(/payment → database \(\d+\)/);
    expect(heading).toBe('Newest 10 traces with a failed span:');
    expect(traces).toHaveLength(10);
    for (const line of traces) expect(line).toMatch(/^- \d\d:\d\d:\d\d \S+ .+ \d+(\.\d+)? (ms|s), \d+ spans, \d+ failed \(deepest: \S+ .+\); most own time: \S+ .+; trace [0-9a-f]{32}$/);
    expect(traces.filter((line) => line.includes('(deepest: payment POST /charges)')).length).toBeGreaterThanOrEqual(8);
    expect(result.services).toEqual(expect.arrayContaining(['payment', 'checkout', 'database']));
  });

  it('shows a healthy service as healthy, and says when no trace is as slow as asked', async () => {
    const { call } = harness({ scenario: 'bad-deploy', faultMinutesAgo: 20 });
    const result = await call('search_traces', { service: 'cart', minutes: 10, minimumMilliseconds: 60_000 });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^Traces through cart, 18:50–19:00 UTC: \d+ requests entered it in the 100 traces read, 0 failed \(0%\)/);
    expect(result.output).toContain('No traces at least 60 s long in the window.');
  });

  it('answers no-data where no trace source is configured, rather than an empty success', async () => {
    const { call } = harness({ overrides: { traces: undefined } });
    expect(await call('search_traces', { service: 'payment' })).toEqual({
      status: 'no-data',
      output: 'No trace source is configured here (JAEGER_URL is unset), so there are no traces to search.',
    });
  });

  it('names the known services for a service it does not know', async () => {
    const { call } = harness();
    const result = await call('search_traces', { service: 'payments' });
    expect(result.status).toBe('error');
    expect(result.output).toMatch(/^Unknown service "payments"; known services: .*Did you mean payment\?$/);
  });

  it('returns a one-line error naming JAEGER_URL when Jaeger does not answer, never a throw', async () => {
    const jaeger = await startFakeJaeger([]);
    await jaeger.close();
    const { call } = harness({ overrides: { traces: new JaegerTraces({ url: jaeger.url, attempts: 1 }) } });
    const result = await call('search_traces', { service: 'payment' });
    expect(result.status).toBe('error');
    expect(result.output).toMatch(/^Jaeger did not answer: jaeger: .* failed: fetch failed \(check JAEGER_URL\)$/);
  });
});
