import { hashKey } from '../hash-key.js';
import { SCHEDULED_FORECAST_SIGNALS } from './forecast-service.js';
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
  /** How often each service's signals are forecast, milliseconds (default an hour of the sources' clock, at most every 10 minutes). */
  forecastEveryMilliseconds?: number;
  /** How long after start the first forecasts run, milliseconds (default 2 minutes: the start's own detection and training come first). */
  firstForecastAfterMilliseconds?: number;
}

/**
 * Forecasts are spread this far apart on average (a forecast job takes tens of milliseconds of a
 * core), so an estate's hourly forecasts do not all fall due at the same instant: 30,000 at once (a
 * 10,000-service estate) would hold every worker for minutes each hour, and detection with them.
 */
const FORECAST_SPREAD_MILLISECONDS_PER_JOB = 200;

/**
 * One BullMQ job scheduler per catalogued service and task. Upserting is idempotent, so every
 * process may call this at start-up; schedulers of services gone from the catalogue are removed.
 * Returns those services, so the caller can forget what is kept for them.
 */
export async function syncSchedules(queues: Queues, services: string[], options: ScheduleOptions = {}): Promise<string[]> {
  const detectionEvery = options.detectionEveryMilliseconds ?? Math.max(1_000, Math.round(60_000 / (options.clockSpeed ?? 1)));
  const trainingEvery = options.trainingEveryMilliseconds ?? 86_400_000;
  const logsEvery = options.logsEveryMilliseconds ?? detectionEvery;
  const forecastEvery = options.forecastEveryMilliseconds ?? Math.max(600_000, Math.round(3_600_000 / (options.clockSpeed ?? 1)));
  const firstForecast = Date.now() + (options.firstForecastAfterMilliseconds ?? 120_000);
  // Each service's and signal's forecast keeps its own place in the hour, the same on every start:
  // within seconds of the first for a small estate, over the whole interval for a large one.
  const forecastSpread = Math.min(forecastEvery, services.length * SCHEDULED_FORECAST_SIGNALS.length * FORECAST_SPREAD_MILLISECONDS_PER_JOB);
  const forecastStart = (service: string, signal: string) => firstForecast + (forecastSpread > 0 ? hashKey('forecast', service, signal) % forecastSpread : 0);
  // All at once: a start waits for these, and one round trip each in turn adds up over an estate.
  await Promise.all(
    services.flatMap((service) => [
      queues.detection.upsertJobScheduler(`detect:${service}`, { every: detectionEvery }, { name: 'detect', data: { service } }),
      // An `every` scheduler's first job runs at once, so a new deployment has models within minutes, not a day.
      queues.training.upsertJobScheduler(`train:${service}`, { every: trainingEvery }, { name: 'train', data: { service } }),
      queues.logs.upsertJobScheduler(`logs:${service}`, { every: logsEvery }, { name: 'logs', data: { service } }),
      ...SCHEDULED_FORECAST_SIGNALS.map((signal) => queues.forecast.upsertJobScheduler(`forecast:${service}:${signal}`, { every: forecastEvery, startDate: forecastStart(service, signal) }, { name: 'forecast', data: { service, signal } })),
    ]),
  );
  const wanted = new Set(services);
  const departed = new Set<string>();
  for (const queue of [queues.detection, queues.training, queues.logs]) {
    for (const scheduler of await queue.getJobSchedulers()) {
      const service = scheduler.key.split(':').slice(1).join(':');
      if (wanted.has(service)) continue;
      await queue.removeJobScheduler(scheduler.key);
      departed.add(service);
    }
  }
  // Service names are Kubernetes names (no colon): the part after the first colon, before the signal.
  for (const scheduler of await queues.forecast.getJobSchedulers()) {
    const [, service, signal] = scheduler.key.split(':');
    if (!wanted.has(service ?? '') || !SCHEDULED_FORECAST_SIGNALS.includes(signal as never)) await queues.forecast.removeJobScheduler(scheduler.key);
  }
  return [...departed].sort();
}
