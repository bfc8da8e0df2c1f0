import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { serviceTrends } from '../../src/investigation/service-trends.js';
import type { Cluster } from '../../src/sources/cluster.js';
import type { MetricsSource } from '../../src/sources/metrics.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

const HOUR = 3_600_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

/** The simulated shop `hoursAfterFault` into a scenario; its metrics read back eight days through range(). */
function world(scenario: string | undefined, hoursAfterFault: number) {
  const clock = new ManualClock(FAULT_START + hoursAfterFault * HOUR);
  const sources = createSimulatedSources(catalogue, { clock, seed: 5, scenario, faultStart: FAULT_START });
  return { catalogue, metrics: sources.metrics as MetricsSource, cluster: sources.cluster as Cluster, now: () => clock.now() };
}

describe('serviceTrends on the simulated shop', () => {
  it('puts the leaking service\'s memory first six hours into the memory leak, since its deploy', async () => {
    const result = await serviceTrends(world('memory-leak', 6));
    expect(result.services).toHaveLength(10);
    expect(result.problems).toEqual([]);
    expect(result.trends[0]).toMatchObject({ service: 'cart', signal: 'memory', direction: 'worse', rising: true, comparison: { kind: 'since-deploy', after: { start: FAULT_START } } });
    expect(result.trends[0]!.relativeChange).toBeGreaterThan(0.4);
    expect(result.trends[0]!.sustainedHours).toBe(result.trends[0]!.comparedHours);
    expect(result.deploys.find((deploy) => deploy.service === 'cart')).toEqual({ service: 'cart', revision: 3, version: '3.2.0', at: FAULT_START });
    // A day's comparison with six leaking hours in it is no sustained change: the deploy's comparison says it.
    expect(result.compared.filter((made) => made.comparison.kind === 'week-over-week')).toHaveLength(10);
  });

  it('puts it first week over week once the leak has run a whole day', async () => {
    const result = await serviceTrends(world('memory-leak', 30));
    expect(result.trends[0]).toMatchObject({ service: 'cart', signal: 'memory', direction: 'worse' });
    expect(result.trends[0]!.sustainedHours).toBeGreaterThanOrEqual(23);
    expect(result.trends[0]!.after).toBeGreaterThan(result.trends[0]!.before * 1.4);
  });

  it('finds nothing in a healthy shop, whose traffic has a daily peak', async () => {
    const result = await serviceTrends(world(undefined, 6), { services: ['frontend', 'cart', 'database'] });
    expect(result.trends).toEqual([]);
    expect(result.found).toBe(0);
    expect(new Set(result.compared.map((made) => made.comparison.kind))).toEqual(new Set(['week-over-week', 'since-deploy']));
  });

  it('answers for the services it can read, and names those it cannot', async () => {
    const simulated = world('memory-leak', 6);
    // The simulated world, except that payment's metrics cannot be reached.
    const metrics = Object.create(simulated.metrics) as MetricsSource;
    metrics.range = (service, signal, range) => (service === 'payment' ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:9090\nat …')) : simulated.metrics.range(service, signal, range));
    const cluster: Pick<Cluster, 'getDeployment'> = {
      getDeployment: (namespace, name) => (name === 'checkout' ? Promise.reject(new Error('deployments.apps "checkout" is forbidden')) : simulated.cluster.getDeployment(namespace, name)),
    };
    const result = await serviceTrends({ ...simulated, metrics, cluster }, { services: ['cart', 'payment', 'checkout', 'billing'], limit: 1 });
    expect(result.problems).toEqual([
      { service: 'payment', problem: 'metrics could not be read: connect ECONNREFUSED 10.0.0.7:9090' },
      { service: 'checkout', problem: 'its deployment could not be read, so no since-deploy comparison: deployments.apps "checkout" is forbidden' },
      { service: 'billing', problem: 'not in the catalogue' },
    ]);
    expect(result.trends).toMatchObject([{ service: 'cart', signal: 'memory' }]);
    expect(result.compared.map((made) => `${made.service} ${made.comparison.kind}`)).toEqual(['cart week-over-week', 'cart since-deploy', 'checkout week-over-week']);
  });
});
