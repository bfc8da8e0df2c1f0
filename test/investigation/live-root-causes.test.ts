import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { rankRootCausesTool } from '../../src/agent/tools/rank-root-causes.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { liveRootCauses } from '../../src/investigation/live-root-causes.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { testRedis } from '../support/test-redis.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

afterAll(() => {
  redis.disconnect();
});

describe('liveRootCauses, as the agent reads it', () => {
  it('finds the trouble in the metrics with no detection history, and hands the model the kind of fault, its advice and the new error logs', async () => {
    const clock = new ManualClock(FAULT_START + 20 * 60_000);
    const { cluster, metrics, logs } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'crash-loop', faultStart: FAULT_START });
    const rank = liveRootCauses({ catalogue, cluster, metrics, logs, anomalies: new AnomalyLog(redis, `test:${randomUUID()}:`), now: () => clock.now() });
    const result = await rankRootCausesTool({ catalogue, rankRootCauses: rank }).run({ services: ['checkout'] }, { signal: AbortSignal.timeout(30_000) });
    expect(result.status).toBe('ok');
    const output = result.output;
    expect(output).not.toMatch(/raised no anomaly/);
    expect(output).toMatch(/^1\. shipping \(score/m);
    expect(output).toMatch(/^ {3}- metric \[\d\d:\d\d\]: restarts \d+(\.\d+)? restarts\/min \(normally 0 restarts\/min\), far above normal/m);
    expect(output).toMatch(/^Likely kind of fault at shipping: a crash loop \(its logs say "FATAL config: required key CARRIER_API_URL.*"\); the engine's advice: Roll shipping back to the revision before 1\.4\.0; Or fix what it fails on at start/m);
    expect(output).toMatch(/^New error logs since the trouble started:\n- shipping: (about )?\d+ error lines "/m);
  });
});
