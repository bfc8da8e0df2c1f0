import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/alerts/correlate.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { incidentContext } from '../../src/incidents/incident-context.js';
import { IncidentDetails } from '../../src/incidents/incident-details.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { testRedis } from '../support/test-redis.js';

/** An incident's context lines and resolution story with CI/CD's change events beside the cluster's rollouts. */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
afterAll(() => redis.disconnect());
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

function incident(services: string[], firstSeen: number, resolvedAt?: number): Incident {
  return {
    id: 'INC-1',
    status: resolvedAt === undefined ? 'open' : 'resolved',
    flapping: false,
    services,
    origin: services[0],
    severity: 'critical',
    alerts: {},
    firstSeen,
    lastSeen: resolvedAt ?? firstSeen,
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
  };
}

describe('incident context with change events', () => {
  it('adds a configuration change before the first alert and leaves out the pipeline\'s report of the rollout the cluster shows', async () => {
    // The memory-leak scenario deploys cart 3.1.0 → 3.2.0 at the fault's start.
    const clock = new ManualClock(FAULT_START + 40 * MINUTE);
    const { cluster } = createSimulatedSources(catalogue, { clock, seed: 5, scenario: 'memory-leak', faultStart: FAULT_START });
    const stores = createStores(redis, `test:${randomUUID()}:`, { catalogue });
    await stores.changeEvents.record([
      { id: 'run-7', service: 'cart', kind: 'deploy', description: 'session cache', version: '3.2.0', at: FAULT_START + 30_000, origin: 'github' },
      { id: 'cfg-12', service: 'cart', kind: 'config', description: 'session TTL 30 m → 8 h', version: 'cfg-12', author: 'carol', at: FAULT_START + 10 * MINUTE, origin: 'argocd' },
      { id: 'flag-3', service: 'shipping', kind: 'feature-flag', description: 'not in this incident', at: FAULT_START + 10 * MINUTE, origin: 'generic' },
    ]);
    const lines = await incidentContext(cluster, catalogue, incident(['cart'], FAULT_START + 20 * MINUTE), clock.now(), { changeEvents: stores.changeEvents });
    expect(lines.filter((line) => !line.startsWith('Warning'))).toEqual([
      'Config change: cart cfg-12: session TTL 30 m → 8 h (by carol) — 19:10 UTC, 10 min before the first alert',
      'Deploy: cart 3.1.0 → 3.2.0 (deploy cart 3.2.0: session cache) — 19:00 UTC, 20 min before the first alert',
    ]);

    // IncidentDetails reads the same store: the context, and the changes made while the incident was open.
    const details = new IncidentDetails({ stores, cluster, catalogue, now: () => clock.now(), logger: silentLogger() });
    expect(await details.clusterContext(incident(['cart'], FAULT_START + 20 * MINUTE))).toEqual(lines);
    await stores.changeEvents.record([{ id: 'flag-4', service: 'cart', kind: 'feature-flag', description: 'session-cache off', at: FAULT_START + 30 * MINUTE, origin: 'generic' }]);
    const summary = await details.resolutionSummary(incident(['cart'], FAULT_START + 20 * MINUTE, FAULT_START + 35 * MINUTE));
    expect(summary.actions).toEqual([{ at: FAULT_START + 30 * MINUTE, text: 'cart: session-cache off', effect: 'resolved 5 min later' }]);
    expect(summary.timeline.map((row) => row.text)).toContain('feature-flag: cart: session-cache off');
  });
});
