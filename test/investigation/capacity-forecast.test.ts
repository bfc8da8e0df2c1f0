import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { capacityForecast, cpuSecondsPerRequest } from '../../src/investigation/capacity-forecast.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

function setUp() {
  const clock = new ManualClock(NOW);
  const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
  return { catalogue, metrics: sources.metrics, cluster: sources.cluster, now: () => clock.now() };
}

describe('capacityForecast on the simulated shop', () => {
  it('forecasts order-service CPU a day ahead from two weeks of history, with the daily season and a replica count', async () => {
    const result = await capacityForecast(setUp(), { service: 'order-service', signal: 'cpu', horizonHours: 24 });
    if (result.status !== 'ok') throw new Error(`expected a forecast, got ${JSON.stringify(result)}`);
    expect(result.seasons.map((season) => season.name)).toContain('daily');
    expect(result.history).toHaveLength(14 * 288 + 1);
    expect(result.forecast).toHaveLength(288);
    expect(result.forecast[0]!.timestamp).toBe(NOW + 300_000);
    // The shop's traffic peaks around 20:00 UTC and is lowest around 08:00: so is the forecast's CPU.
    const at = (hour: number) => result.forecast.find((point) => new Date(point.timestamp).getUTCHours() === hour)!.value;
    expect(at(20)).toBeGreaterThan(at(8) * 1.5);
    const plan = result.plan!;
    expect(plan.currentReplicas).toBe(3);
    expect(plan.perPodDescription).toMatch(/CPU request a pod/);
    expect(plan.recommendedReplicas).toBe(Math.max(1, Math.ceil(plan.peakDemand / (plan.perPodCapacity * 0.7) - 1e-9)));
    expect(result.backtest.meanAbsoluteError).toBeLessThanOrEqual(result.backtest.seasonalNaiveError!);
  });

  it('derives what one pod serves from the CPU a request costs, for a traffic forecast', async () => {
    const result = await capacityForecast(setUp(), { service: 'order-service', signal: 'request_rate', horizonHours: 6 });
    if (result.status !== 'ok') throw new Error(result.status);
    expect(result.plan?.perPodDescription).toMatch(/a pod \(.* CPU request ÷ .* CPU a request, observed\)/);
    expect(result.plan!.limit).toBeCloseTo(result.plan!.perPodCapacity * 3);
  });

  it('gives no replica count for latency, and says why', async () => {
    const result = await capacityForecast(setUp(), { service: 'order-service', signal: 'latency_p95', horizonHours: 6 });
    if (result.status !== 'ok') throw new Error(result.status);
    expect(result.plan).toBeUndefined();
    expect(result.noPlan).toMatch(/no per-pod capacity/);
  });
});

describe('cpuSecondsPerRequest', () => {
  it('reads the cost of a request where traffic is busiest, so idle CPU counts least', () => {
    const rates = Array.from({ length: 100 }, (_, index) => index + 1);
    const cpu = rates.map((rate) => 0.05 + 0.004 * rate);
    expect(cpuSecondsPerRequest(rates, cpu)).toBeGreaterThan(0.004);
    expect(cpuSecondsPerRequest(rates, cpu)).toBeLessThan(0.0047);
    expect(cpuSecondsPerRequest([0, 0, 0], [1, 1, 1])).toBeUndefined();
  });
});
