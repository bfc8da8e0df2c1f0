/** Time in milliseconds since the Unix epoch, as the simulated world sees it. */
export interface Clock {
  now(): number;
}

export interface SimulatedClockOptions {
  /** Simulated seconds per real second (default 1: the simulated world keeps wall-clock time). */
  speed?: number;
  /** Simulated time when the clock is created (default: the real time then). */
  start?: number;
  /** The real clock (default Date.now); injectable for tests. */
  realNow?: () => number;
}

/** Runs `speed` times faster than real time from `start`, so a demo can show an hour in a minute. */
export class SimulatedClock implements Clock {
  private readonly speed: number;
  private readonly simulatedStart: number;
  private readonly realStart: number;
  private readonly realNow: () => number;

  constructor(options: SimulatedClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.speed = options.speed ?? 1;
    this.realStart = this.realNow();
    this.simulatedStart = options.start ?? this.realStart;
  }

  now(): number {
    return this.simulatedStart + (this.realNow() - this.realStart) * this.speed;
  }
}

/** A clock that moves only when told to: for tests and offline commands. */
export class ManualClock implements Clock {
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }

  advance(milliseconds: number): void {
    this.time += milliseconds;
  }
}
