import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { alertFromAnomaly } from '../../src/alerts/alert.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../../src/detection/create-detector.js';
import { detectService, type DetectionDependencies } from '../../src/jobs/detect-service.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { testRedis } from '../support/test-redis.js';
import { createStores } from '../../src/state/stores.js';

/**
 * An incident lasts as long as its fault: detection keeps the alerts of an ongoing anomaly firing
 * pass after pass (the detector itself fires only at the onset), and resolves them once the
 * signals are back, here after the fix the scenario responds to.
 */

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 15, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();

afterAll(async () => {
  await redis.quit();
});

describe('the connection-pool scenario as an incident', () => {
  it('opens one incident on the database, keeps it open while the fault lasts and resolves it after the fix', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clock = new ManualClock(FAULT_START - MINUTE);
    const sources = createSimulatedSources(catalogue, { clock, seed: 21, scenario: 'db-pool-exhaustion', faultStart: FAULT_START });
    const incidents = new IncidentStore(redis, prefix, catalogue);
    const ingest = (alerts: Parameters<IncidentStore['ingest']>[0]) => incidents.ingest(alerts, clock.now());
    const dependencies: DetectionDependencies = {
      metrics: sources.metrics,
      catalogue,
      stores: createStores(redis, prefix, { catalogue }),
      sink: async (anomaly) => void (await ingest([alertFromAnomaly(anomaly)])),
      now: () => clock.now(),
      logger: silentLogger(),
      createDetector,
      restoreDetector,
      threshold: RECOMMENDED_ALERT_THRESHOLD,
      onOngoing: async (anomaly, at) => void (await ingest([{ ...alertFromAnomaly(anomaly), receivedAt: at }])),
      onRecovered: async (anomaly, at) => void (await ingest([{ ...alertFromAnomaly(anomaly), status: 'resolved', endsAt: at, receivedAt: at }])),
    };
    const services = ['database', 'order-service', 'payment', 'checkout'];
    const pass = async () => {
      for (const service of services) await detectService(service, dependencies);
      await incidents.settle(clock.now());
    };
    try {
      await pass();
      for (let minute = 0; minute < 30; minute += 1) {
        clock.advance(MINUTE);
        await pass();
      }
      const during = await incidents.all();
      expect(during.filter((incident) => incident.status === 'open')).toHaveLength(1);
      expect(during[0]).toMatchObject({ origin: 'database', status: 'open' });

      await sources.cluster.rolloutRestart('shop', 'database');
      for (let minute = 0; minute < 20; minute += 1) {
        clock.advance(MINUTE);
        await pass();
      }
      const after = await incidents.all();
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ id: during[0]!.id, origin: 'database', status: 'resolved' });
    } finally {
      await incidents.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  }, 120_000);
});
