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

  it('names an uncatalogued service and the catalogued ones', async () => {
    await expect(metrics.instant('billing', 'cpu')).rejects.toMatchObject({ code: 'AIOPS_NOT_FOUND', message: 'service billing not found' });
  });
});
