import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import { collectRootCauseInput } from '../../src/investigation/collect-root-cause-input.js';
import { rankRootCauses } from '../../src/rca/rank-root-causes.js';
import { JaegerTraces } from '../../src/sources/jaeger/jaeger-traces.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { startFakeJaeger } from '../fakes/jaeger.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const NOW = FAULT_START + 15 * MINUTE;
const full = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

/** The example catalogue with the call graph nobody wrote down (or kept up): only the edges given. */
function catalogueWithDependencies(dependencies: Record<string, string[]>): Catalogue {
  return {
    ...full,
    services: Object.fromEntries(Object.entries(full.services).map(([name, service]) => [name, { ...service, dependencies: dependencies[name] ?? [] }])),
  };
}

async function collect(catalogue: Catalogue, traces: 'sim' | 'none' | JaegerTraces) {
  const clock = new ManualClock(NOW);
  const sources = createSimulatedSources(catalogue, { clock, seed: 7, scenario: 'slow-dependency', faultStart: FAULT_START });
  const tracesSource = traces === 'sim' ? sources.traces : traces === 'none' ? undefined : traces;
  return collectRootCauseInput(
    Object.values(catalogue.services),
    { catalogue, metrics: sources.metrics, cluster: sources.cluster, ...(tracesSource ? { traces: tracesSource } : {}) },
    { now: NOW, anomalies: [], anomalyStart: FAULT_START, symptom: 'frontend' },
  );
}

describe('collectRootCauseInput with traces', () => {
  it('ranks a slow cache first from the edges traces show when the catalogue has no call graph, and misses it without them', async () => {
    const bare = catalogueWithDependencies({});
    const without = await collect(bare, 'none');
    expect(without.input.graph).toEqual([]);
    // Every cache caller slowed down at once: without the edges nothing says they share a dependency.
    expect(rankRootCauses(without.input).ranking[0]!.service).not.toBe('cache');

    const withTraces = await collect(bare, 'sim');
    expect(withTraces.problems).toEqual([]);
    expect(withTraces.input.graph).toEqual(expect.arrayContaining([['catalogue', 'cache'], ['user', 'cache'], ['order-service', 'cache'], ['cart', 'cache'], ['frontend', 'checkout']]));
    expect(rankRootCauses(withTraces.input).ranking[0]!.service).toBe('cache');
  });

  it('keeps the catalogue\'s own edges, even one the traces never show', async () => {
    const stale = catalogueWithDependencies({ frontend: ['database'] });
    const { input } = await collect(stale, 'sim');
    expect(input.graph![0]).toEqual(['frontend', 'database']);
    expect(input.graph).toEqual(expect.arrayContaining([['order-service', 'cache']]));
    expect(input.graph!.filter(([caller, callee]) => caller === 'frontend' && callee === 'database')).toHaveLength(1);
  });

  it('ranks on the catalogue\'s graph and says it could not read the traces when Jaeger is down', async () => {
    const jaeger = await startFakeJaeger([]);
    await jaeger.close();
    const { input, problems } = await collect(full, new JaegerTraces({ url: jaeger.url, attempts: 1 }));
    expect(problems).toEqual(['traces: jaeger: dependencies failed: fetch failed (check JAEGER_URL)']);
    expect(input.graph).toHaveLength(17);
    expect(rankRootCauses(input).ranking[0]!.service).toBe('cache');
  });
});
