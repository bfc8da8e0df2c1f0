/**
 * Container restarts as the kubelet produces them, in closed form so any instant of history can
 * be computed directly.
 */

/** Seconds a crashing container lives before it exits. */
const CRASH_AFTER_SECONDS = 3;
/** The kubelet's restart back-off: 10 s doubling to a 5 minute cap. */
const BACKOFF_START_SECONDS = 10;
const BACKOFF_CAP_SECONDS = 300;
/** Seconds an OOM-killed container is down before it serves again. */
export const OOM_RESTART_DOWNTIME_SECONDS = 15;

export interface CrashLoopState {
  restarts: number;
  /** Milliseconds since the epoch of the last restart, when there was one. */
  lastRestartAt?: number;
}

/** Restarts of a container that exits `CRASH_AFTER_SECONDS` after every start, from `startedAt` to `time`. */
export function crashLoopState(startedAt: number, time: number): CrashLoopState {
  let restarts = 0;
  let clock = startedAt + CRASH_AFTER_SECONDS * 1000;
  let lastRestartAt: number | undefined;
  let backoff = BACKOFF_START_SECONDS;
  while (true) {
    const nextStart = clock + backoff * 1000;
    if (nextStart > time) break;
    restarts += 1;
    lastRestartAt = nextStart;
    clock = nextStart + CRASH_AFTER_SECONDS * 1000;
    backoff = Math.min(backoff * 2, BACKOFF_CAP_SECONDS);
  }
  return { restarts, lastRestartAt };
}

export interface LeakState {
  restarts: number;
  /** Bytes leaked since the container last started. */
  leakedBytes: number;
  lastRestartAt?: number;
  /** Seconds of (time - 60 s, time] the container spent restarting. */
  downSecondsInLastMinute: number;
}

/**
 * A container whose working set grows `bytesPerSecond` from `leakStart` and is OOM-killed when
 * it reaches `headroomBytes` above its normal working set; it restarts and leaks again.
 */
export function leakState(leakStart: number, time: number, bytesPerSecond: number, headroomBytes: number): LeakState {
  if (time < leakStart || bytesPerSecond <= 0) return { restarts: 0, leakedBytes: 0, downSecondsInLastMinute: 0 };
  const secondsToKill = headroomBytes / bytesPerSecond;
  const period = secondsToKill + OOM_RESTART_DOWNTIME_SECONDS;
  const elapsed = (time - leakStart) / 1000;
  const restarts = Math.floor(elapsed / period);
  const sinceStart = elapsed - restarts * period;
  const lastRestartAt = restarts > 0 ? leakStart + restarts * period * 1000 : undefined;
  const downSecondsInLastMinute = overlapSeconds(elapsed - 60, elapsed, period, secondsToKill);
  return { restarts, leakedBytes: Math.min(sinceStart, secondsToKill) * bytesPerSecond, lastRestartAt, downSecondsInLastMinute };
}

/** Seconds of [from, to] that fall in the down phases [k*period + secondsToKill, (k+1)*period). */
function overlapSeconds(from: number, to: number, period: number, secondsToKill: number): number {
  let total = 0;
  const first = Math.max(0, Math.floor(from / period));
  for (let cycle = first; cycle * period <= to; cycle += 1) {
    const downStart = cycle * period + secondsToKill;
    const downEnd = (cycle + 1) * period;
    total += Math.max(0, Math.min(to, downEnd) - Math.max(from, downStart));
  }
  return total;
}
