import type { Logger } from '../logger.js';

export interface ScheduleKeeperOptions {
  /** Whether every schedule the bot set is still in Redis (cheap: counts, not lists). */
  present: () => Promise<boolean>;
  /** Sets them again; idempotent, as at start-up. */
  restore: () => Promise<void>;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** How often to look (default 30 s): the longest detection stays stopped after Redis lost its data. */
  everyMilliseconds?: number;
}

export interface ScheduleKeeper {
  /** Looks once now; resolves when done (a failure is logged, not thrown: Redis may still be away). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Puts the job schedulers back when Redis has lost them. A Redis restarted without its data (no
 * volume, a failover to a replica that had not synced) forgets every scheduler, and nothing would
 * be scored again until a bot restarted; the models and detectors rebuild themselves once their
 * jobs run. Every bot replica keeps watch: restoring is idempotent, so two at once do no harm.
 */
export function keepSchedules(options: ScheduleKeeperOptions): ScheduleKeeper {
  let running: Promise<void> | undefined;
  let failing = false;
  const check = (): Promise<void> => {
    running ??= (async () => {
      try {
        const present = await options.present();
        failing = false;
        if (present) return;
        options.logger.warn('the job schedules are gone from Redis (restarted without its data?): setting them again');
        await options.restore();
        options.logger.info('job schedules restored');
      } catch (error) {
        if (!failing) options.logger.warn({ err: error }, 'could not check the job schedules; trying again');
        failing = true;
      }
    })().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void check(), options.everyMilliseconds ?? 30_000);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
