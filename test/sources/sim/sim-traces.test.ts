import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../../src/catalogue.js';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../../src/sources/sim/simulated-world.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const BEFORE = { start: new Date(FAULT_START - 20 * MINUTE), end: new Date(FAULT_START - 5 * MINUTE) };
const DURING = { start: new Date(FAULT_START + 5 * MINUTE), end: new Date(FAULT_START + 20 * MINUTE) };

function tracesOf(scenario: string, seed = 7) {
  const clock = new ManualClock(FAULT_START + 20 * MINUTE);
  return createSimulatedSources(catalogue, { clock, seed, scenario, faultStart: FAULT_START }).traces;
}

describe('simulated traces', () => {
  it('show the bad deploy in payment\'s spans: a third of its requests fail, its callers fail through it, others stay clean', async () => {
    const traces = tracesOf('bad-deploy');
    const services = ['payment', 'checkout', 'cart', 'database'];
    const [payment, checkout, cart, database] = await traces.serviceStats({ ...DURING, services });
    const [paymentBefore] = await traces.serviceStats({ ...BEFORE, services: ['payment'] });
    expect(payment!.requests).toBeGreaterThanOrEqual(100);
    expect(payment!.errorRate).toBeGreaterThan(0.2);
    expect(paymentBefore!.errorRate).toBeLessThan(0.03);
    expect(checkout!.errorRate).toBeGreaterThan(0.1);
    expect(checkout!.errorRate).toBeLessThan(payment!.errorRate);
    expect(cart!.errorRate).toBeLessThan(0.03);
    expect(database!.errorRate).toBeLessThan(0.03);

    const failing = await traces.searchTraces({ ...DURING, service: 'checkout', errorsOnly: true, limit: 10 });
    expect(failing).toHaveLength(10);
    expect(failing.every((trace) => trace.errorSpanCount > 0 && trace.services.includes('checkout'))).toBe(true);
    // The failure starts at payment, the deepest failed span, in nearly every failing trace.
    expect(failing.filter((trace) => trace.deepestError?.service === 'payment').length).toBeGreaterThanOrEqual(8);
    for (let index = 1; index < failing.length; index += 1) expect(failing[index]!.start).toBeLessThanOrEqual(failing[index - 1]!.start);
    expect(failing.every((trace) => trace.start >= DURING.start.getTime() && trace.start <= DURING.end.getTime())).toBe(true);
  });

  it('show database connection-pool exhaustion as database latency that its callers wait on', async () => {
    const traces = tracesOf('db-pool-exhaustion');
    const [during] = await traces.serviceStats({ ...DURING, services: ['database'] });
    const [before] = await traces.serviceStats({ ...BEFORE, services: ['database'] });
    expect(during!.latencyP50Milliseconds).toBeGreaterThan(10 * before!.latencyP50Milliseconds);
    const slow = await traces.searchTraces({ ...DURING, service: 'order-service', limit: 10 });
    expect(slow.filter((trace) => trace.slowestService.service === 'database').length).toBeGreaterThanOrEqual(8);
  });

  it('show a crash-looping service refusing every request and calling nobody', async () => {
    const traces = tracesOf('crash-loop');
    const [shipping] = await traces.serviceStats({ ...DURING, services: ['shipping'] });
    expect(shipping!.errorRate).toBe(1);
    const edges = await traces.callGraph({ ...DURING, services: ['shipping'] });
    expect(edges.some((edge) => edge.caller === 'shipping')).toBe(false);
    expect(edges.some((edge) => edge.caller === 'checkout' && edge.callee === 'shipping')).toBe(true);
  });

  it('discover exactly the catalogue\'s call graph from the estate\'s traces', async () => {
    const traces = tracesOf('bad-deploy');
    const discovered = (await traces.callGraph(BEFORE)).map((edge) => `${edge.caller}→${edge.callee}`).sort();
    const catalogued = Object.values(catalogue.services)
      .flatMap((service) => service.dependencies.map((dependency) => `${service.name}→${dependency}`))
      .sort();
    expect(discovered).toEqual(catalogued);
  });

  it('answer the same question with the same traces; another seed is another world', async () => {
    const search = { ...DURING, service: 'frontend', limit: 5 };
    const first = await tracesOf('bad-deploy').searchTraces(search);
    expect(await tracesOf('bad-deploy').searchTraces(search)).toEqual(first);
    const other = await tracesOf('bad-deploy', 8).searchTraces(search);
    expect(other.map((trace) => trace.traceId)).not.toEqual(first.map((trace) => trace.traceId));
    expect(first.every((trace) => /^[0-9a-f]{32}$/.test(trace.traceId))).toBe(true);
  });

  it('refuse a service the world does not run, and have nothing after the world\'s now', async () => {
    const traces = tracesOf('bad-deploy');
    await expect(traces.searchTraces({ ...DURING, service: 'billing' })).rejects.toThrow(/not found/);
    const future = { start: new Date(FAULT_START + 30 * MINUTE), end: new Date(FAULT_START + 40 * MINUTE) };
    expect(await traces.searchTraces({ ...future, service: 'frontend' })).toEqual([]);
  });
});
