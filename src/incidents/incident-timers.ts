import type { Logger } from '../logger.js';
import type { Incidents } from './incidents.js';

export interface IncidentTimerChoice {
  /** Settle incidents whose alerts went quiet (the role that schedules: one is enough). */
  settle?: boolean;
  /** Raise held alerts whose silence or maintenance window ended (the role that schedules). */
  release?: boolean;
  /** Sweep incident messages (escalations, group waits, repairs) beside the process talking to Slack. */
  sweep?: boolean;
}

/** Detector alerts never resolve themselves, so quiet ones are settled this often. */
const SETTLE_MILLISECONDS = 60_000;
/** Held alerts are raised within this of their silence or window ending. */
const RELEASE_MILLISECONDS = 5_000;
/** Open incidents are checked for the end of a group wait or maintenance, and for escalation rules, this often. */
const SWEEP_MILLISECONDS = 10_000;

/**
 * Starts the incident use cases' timers chosen; returns what stops them. A failing round is
 * logged and tried again next time: Redis being gone must not end the process. The sweep says so
 * once per outage, not every ten seconds.
 */
export function startIncidentTimers(incidents: Incidents, choice: IncidentTimerChoice, logger: Logger): () => void {
  const timers: NodeJS.Timeout[] = [];
  const every = (milliseconds: number, work: () => Promise<unknown>) => {
    const timer = setInterval(() => void work(), milliseconds);
    timer.unref();
    timers.push(timer);
  };
  if (choice.settle) every(SETTLE_MILLISECONDS, () => incidents.settle().catch((error: Error) => logger.warn({ error: error.message }, 'incidents not settled; trying again in a minute')));
  if (choice.release) every(RELEASE_MILLISECONDS, () => incidents.release().catch((error: Error) => logger.warn({ error: error.message }, 'held alerts not released; trying again shortly')));
  if (choice.sweep) {
    let failing = false;
    every(SWEEP_MILLISECONDS, () =>
      incidents.sweep().then(
        () => void (failing = false),
        (error: Error) => {
          if (!failing) logger.warn({ error: error.message }, 'incident messages not swept (Redis unreadable?); trying again every 10 s');
          failing = true;
        },
      ),
    );
  }
  return () => timers.forEach((timer) => clearInterval(timer));
}
