import { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { detectService, type DetectionDependencies } from '../../src/jobs/detect-service.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { syncSchedules } from '../../src/jobs/schedules.js';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { silentLogger } from '../../src/logger.js';
import { RatioDetector } from '../support/ratio-detector.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { useQueueTest } from '../support/queue-test.js';
import { createStores } from '../../src/state/stores.js';


const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { prefix: currentPrefix, queues: currentQueues, connection, closeAfter, redis } = await useQueueTest();

function dependenciesFor(keyPrefix: string, sink: (anomaly: Anomaly) => Promise<void>, leaseMilliseconds = 60_000): DetectionDependencies {
  const clock = new ManualClock(FAULT_START + 20 * MINUTE);
  const sources = createSimulatedSources(catalogue, { clock, seed: 3, scenario: 'bad-deploy', faultStart: FAULT_START });
  return {
    metrics: sources.metrics,
    catalogue,
    stores: createStores(redis, keyPrefix, { catalogue }),
    sink,
    now: () => clock.now(),
    logger: silentLogger(),
    createDetector: () => new RatioDetector(),
    restoreDetector: RatioDetector.restore,
    threshold: 0.5,
    // A lease never renewed past its first term: the dying worker below hangs rather than exits, and a dead process renews nothing.
    options: { warmUpMinutes: 60, emitWindowMinutes: 60, leaseMilliseconds, leaseHoldMilliseconds: leaseMilliseconds },
  };
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMilliseconds = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('detection jobs on real Redis', () => {
  it('schedules every catalogued service and the workers score each one', async () => {
    const services = ['payment', 'checkout', 'cart'];
    await syncSchedules(currentQueues(), services, { detectionEveryMilliseconds: 300, trainingEveryMilliseconds: 86_400_000 });
    const schedulers = await currentQueues().detection.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(['detect:cart', 'detect:checkout', 'detect:payment']);
    const scored = new Set<string>();
    const worker = startServiceWorker({ queueName: QUEUE_NAMES.detection, connection: connection(), logger: silentLogger(), process: async (service) => scored.add(service) });
    closeAfter(() => worker.close());
    await waitFor(() => scored.size === 3);

    // A service leaving the catalogue leaves the schedule too.
    expect(await syncSchedules(currentQueues(), ['payment', 'checkout'], { detectionEveryMilliseconds: 300 })).toEqual(['cart']);
    expect((await currentQueues().detection.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual(['detect:checkout', 'detect:payment']);
    expect((await currentQueues().training.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual(['train:checkout', 'train:payment']);
  });

  it('hands a killed worker\'s job to another worker, which finishes it without raising anything twice', async () => {
    // What one uninterrupted pass raises, in its own key space.
    const reference: Anomaly[] = [];
    await detectService('payment', dependenciesFor(`${currentPrefix()}reference:`, async (anomaly) => void reference.push(anomaly)));
    expect(reference.length).toBeGreaterThan(1);

    const raised: Anomaly[] = [];
    let dyingWorkerRaised = false;
    const dying = startServiceWorker({
      queueName: QUEUE_NAMES.detection,
      connection: connection(),
      logger: silentLogger(),
      lockDuration: 1_000,
      stalledInterval: 500,
      process: (service) =>
        detectService(
          service,
          dependenciesFor(
            currentPrefix(),
            async (anomaly) => {
              raised.push(anomaly);
              dyingWorkerRaised = true;
              // The process dies here: after raising one anomaly, before saving anything.
              await new Promise(() => undefined);
            },
            300,
          ),
        ),
    });
    const job = await currentQueues().detection.add('detect', { service: 'payment' });
    await waitFor(() => dyingWorkerRaised);
    await dying.close(true);

    const survivor = startServiceWorker({
      queueName: QUEUE_NAMES.detection,
      connection: connection(),
      logger: silentLogger(),
      lockDuration: 1_000,
      stalledInterval: 500,
      process: (service) => detectService(service, dependenciesFor(currentPrefix(), async (anomaly) => void raised.push(anomaly), 300)),
    });
    closeAfter(() => survivor.close());
    await waitFor(async () => (await Job.fromId(currentQueues().detection, job.id!))?.finishedOn !== undefined);

    expect(raised.map((anomaly) => anomaly.id).sort()).toEqual(reference.map((anomaly) => anomaly.id).sort());
    expect(new Set(raised.map((anomaly) => anomaly.id)).size).toBe(raised.length);
  });
});
