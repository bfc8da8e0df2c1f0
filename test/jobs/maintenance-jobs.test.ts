import { describe, expect, it } from 'vitest';
import { createMaintenanceQueue, startMaintenanceWorker, syncMaintenanceSchedules } from '../../src/jobs/maintenance-jobs.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { TextCollector } from '../support/cli-harness.js';
import { useQueueTest } from '../support/queue-test.js';
import { until } from '../support/until.js';

/**
 * The bot role's periodic work (settling incidents, releasing held alerts, the message sweep, the
 * digest) as BullMQ job schedulers: with two bot replicas each round runs once, not once per replica.
 */

const { connection, closeAfter } = await useQueueTest();

describe('maintenance jobs', () => {
  it('run each round once across two bot replicas, and a task no longer wanted stops', async () => {
    const runs = { settle: 0, release: 0 };
    const replicas = [0, 1].map(() => {
      const queue = createMaintenanceQueue(connection());
      closeAfter(() => queue.close());
      return queue;
    });
    // Both replicas start (and sync the schedules) and work.
    for (const queue of replicas) await syncMaintenanceSchedules(queue, ['settle', 'release'], { settle: 60_000, release: 400 });
    for (let index = 0; index < 2; index += 1) {
      const worker = startMaintenanceWorker(connection(), { settle: async () => void (runs.settle += 1), release: async () => void (runs.release += 1) }, silentLogger());
      closeAfter(() => worker.close());
    }
    const startedAt = Date.now();
    await until(() => runs.release >= 5, 'five release rounds', 15_000);
    const rounds = Math.floor((Date.now() - startedAt) / 400) + 1;
    // Once per round: one replica's timer each would make it twice as many.
    expect(runs.release).toBeLessThanOrEqual(rounds + 1);
    // An `every` scheduler runs its first round at once, however many replicas upserted it.
    expect(runs.settle).toBe(1);

    await syncMaintenanceSchedules(replicas[0]!, ['settle']);
    expect((await replicas[0]!.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual(['settle']);
  });

  it('says once that a task fails, however many rounds fail, and once that it works again', async () => {
    const queue = createMaintenanceQueue(connection());
    closeAfter(() => queue.close());
    await syncMaintenanceSchedules(queue, ['release'], { release: 200 });
    let failures = 3;
    let worked = false;
    const log = new TextCollector();
    const worker = startMaintenanceWorker(
      connection(),
      {
        release: async () => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('connection refused');
          }
          worked = true;
        },
      },
      createLogger({ level: 'info', destination: log }),
    );
    closeAfter(() => worker.close());
    await until(() => worked, 'a round that works', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const messages = log.text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(['held alerts not released (Redis unreadable?); tried again every 5 s, said again once it works', 'release works again']);
  });
});
