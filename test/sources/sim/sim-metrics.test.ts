import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, renderQuery } from '../../../src/catalogue.js';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { SimulatedMetrics } from '../../../src/sources/sim/sim-metrics.js';
import { SimWorld } from '../../../src/sources/sim/world.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const metrics = new SimulatedMetrics(new SimWorld({ clock: new ManualClock(NOW), seed: 4 }), catalogue);

describe('simulated metrics', () => {
  it('answers a range at the requested step and never past now', async () => {
    const series = await metrics.range('cart', 'request_rate', { start: new Date(NOW - 30 * MINUTE), end: new Date(NOW + 30 * MINUTE), stepSeconds: 300 });
    expect(series.labels).toEqual({ service: 'cart', signal: 'request_rate' });
    expect(series.samples.map((sample) => sample.timestamp)).toEqual([0, 1, 2, 3, 4, 5, 6].map((index) => NOW - 30 * MINUTE + index * 5 * MINUTE));
    expect(series.samples.every((sample) => sample.value > 10)).toBe(true);
  });

  it('answers the catalogue\'s own PromQL whatever the rate window, and refuses anything else', async () => {
    const promql = renderQuery(catalogue, catalogue.services['order-service']!, 'latency_p95', { window: '5m' });
    const [series] = await metrics.query(promql, new Date(NOW));
    expect(series!.labels).toEqual({ service: 'order-service', signal: 'latency_p95' });
    expect(series!.samples[0]!.value).toBe(await metrics.instant('order-service', 'latency_p95', new Date(NOW)));
    await expect(metrics.query('up')).rejects.toMatchObject({ code: 'AIOPS_UNSUPPORTED', hint: 'set PROMETHEUS_URL to run arbitrary PromQL' });
  });

  it('lets timers and I/O run while it simulates, and reads the same values together as one by one', async () => {
    // Six fresh hours of every service take a fifth of a second to simulate, ten slices; a
    // loop held that long would time out the Redis commands and Slack acknowledgements behind it.
    const range = { start: new Date(NOW - 6 * 60 * MINUTE), end: new Date(NOW), stepSeconds: 60 };
    const services = Object.keys(catalogue.services);
    const fresh = () => new SimulatedMetrics(new SimWorld({ clock: new ManualClock(NOW), seed: 4 }), catalogue);
    const together = fresh();
    const reading = Promise.all(services.map((service) => together.range(service, 'latency_p95', range)));
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    const readTogether = await reading;
    expect(timerFired).toBe(true);

    const oneByOne = fresh();
    const readOneByOne = [];
    for (const service of services) readOneByOne.push(await oneByOne.range(service, 'latency_p95', range));
    expect(readTogether).toEqual(readOneByOne);
  });

  it('names an uncatalogued service and the catalogued ones', async () => {
    await expect(metrics.instant('billing', 'cpu')).rejects.toMatchObject({ code: 'AIOPS_NOT_FOUND', message: 'service billing not found' });
  });
});
