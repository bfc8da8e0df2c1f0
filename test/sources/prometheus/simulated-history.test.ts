import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, EXAMPLE_CATALOGUE_PATH } from '../../../src/catalogue.js';
import { PrometheusMetrics } from '../../../src/sources/prometheus/prometheus-metrics.js';
import { SIGNALS } from '../../../src/signals.js';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { writeOpenMetrics } from '../../../src/sources/sim/openmetrics.js';
import { SimulatedMetrics } from '../../../src/sources/sim/sim-metrics.js';
import { SimWorld, tickOf } from '../../../src/sources/sim/world.js';
import { startPrometheus, type PrometheusServer } from '../../support/prometheus-server.js';
import { skipWithout } from '../../support/requirements.js';

/**
 * The acceptance test for the simulated world's export: its history, backfilled into a real
 * Prometheus, reads back through the example catalogue's PromQL templates as the same series
 * the simulated source returns. A traffic surge saturating catalogue plays during the window, so
 * the series are not flat: load, latency and errors all move.
 */

const HOUR = 3_600_000;
const end = tickOf(Date.now()) - 2 * 60_000;
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const world = new SimWorld({ clock: new ManualClock(end), seed: 11, scenario: 'traffic-surge', faultStart: end - HOUR });
const simulated = new SimulatedMetrics(world, catalogue);
let server: PrometheusServer;
let prometheus: PrometheusMetrics;

describe.skipIf(skipWithout('prometheus', 'simulated history in a real Prometheus'))('simulated history in a real Prometheus', () => {
  beforeAll(async () => {
    const chunks: string[] = [];
    writeOpenMetrics(world, { start: end - 3 * HOUR, end }, (chunk) => chunks.push(chunk));
    server = await startPrometheus(chunks.join(''));
    prometheus = new PrometheusMetrics({ url: server.url, catalogue });
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('read through the example catalogue', () => {
    const range = { start: new Date(end - 2.5 * HOUR), end: new Date(end), stepSeconds: 60 };

    it.each(Object.keys(catalogue.services))('returns the simulated series of %s for every standard signal', async (service) => {
      for (const signal of SIGNALS) {
        const [fromPrometheus, fromSimulation] = await Promise.all([prometheus.range(service, signal, range), simulated.range(service, signal, range)]);
        const expected = new Map(fromSimulation.samples.map((sample) => [sample.timestamp, sample.value]));
        // Every minute of the window comes back: nothing lost to rate windows or staleness.
        expect(fromPrometheus.samples.length, `${service} ${signal}`).toBe(fromSimulation.samples.length);
        for (const sample of fromPrometheus.samples) {
          const value = expected.get(sample.timestamp);
          expect(value, `${service} ${signal} at ${new Date(sample.timestamp).toISOString()}`).toBeDefined();
          const tolerance = 1e-6 * Math.max(1, Math.abs(value!));
          expect(Math.abs(sample.value - value!), `${service} ${signal} at ${new Date(sample.timestamp).toISOString()}`).toBeLessThan(tolerance);
        }
      }
    });

    it('shows the surge: catalogue saturates and the frontend slows, in Prometheus as in the simulation', async () => {
      const before = new Date(end - 1.5 * HOUR);
      const during = new Date(end - 10 * 60_000);
      const cpuBefore = await prometheus.instant('catalogue', 'cpu', before);
      const cpuDuring = await prometheus.instant('catalogue', 'cpu', during);
      const latencyBefore = await prometheus.instant('frontend', 'latency_p95', before);
      const latencyDuring = await prometheus.instant('frontend', 'latency_p95', during);
      expect(cpuDuring! / cpuBefore!).toBeGreaterThan(1.8);
      expect(latencyDuring! / latencyBefore!).toBeGreaterThan(3);
      expect(await prometheus.instant('catalogue', 'error_rate', during)).toBeGreaterThan(0.05);
    });
  });
});
