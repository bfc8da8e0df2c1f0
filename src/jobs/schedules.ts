import type { Queues } from './queues.js';

export interface ScheduleOptions {
  /** Simulated seconds per real second of the sources' clock (default 1): a faster clock is scored as often per simulated minute. */
  clockSpeed?: number;
  /** How often each service is scored, milliseconds (default once a minute of the sources' clock, at most once a second). */
  detectionEveryMilliseconds?: number;
  /** How often each service's model is retrained, milliseconds (default a day). */
  trainingEveryMilliseconds?: number;
  /** How often each service's new log lines are mined, milliseconds (default: as often as detection). */
  logsEveryMilliseconds?: number;
}

/**
 * One BullMQ job scheduler per catalogued service and task. Upserting is idempotent, so every
 * process may call this at start-up; schedulers of services gone from the catalogue are removed.
 */
export async function syncSchedules(queues: Queues, services: string[], options: ScheduleOptions = {}): Promise<void> {
  const detectionEvery = options.detectionEveryMilliseconds ?? Math.max(1_000, Math.round(60_000 / (options.clockSpeed ?? 1)));
  const trainingEvery = options.trainingEveryMilliseconds ?? 86_400_000;
  const logsEvery = options.logsEveryMilliseconds ?? detectionEvery;
  for (const service of services) {
    await queues.detection.upsertJobScheduler(`detect:${service}`, { every: detectionEvery }, { name: 'detect', data: { service } });
    // An `every` scheduler's first job runs at once, so a new deployment has models within minutes, not a day.
    await queues.training.upsertJobScheduler(`train:${service}`, { every: trainingEvery }, { name: 'train', data: { service } });
    await queues.logs.upsertJobScheduler(`logs:${service}`, { every: logsEvery }, { name: 'logs', data: { service } });
  }
  const wanted = new Set(services);
  for (const queue of [queues.detection, queues.training, queues.logs]) {
    for (const scheduler of await queue.getJobSchedulers()) {
      const service = scheduler.key.split(':').slice(1).join(':');
      if (!wanted.has(service)) await queue.removeJobScheduler(scheduler.key);
    }
  }
}
