import { z } from 'zod';

export const samplingClockStateSchema = z.object({
  lastTimestamp: z.number().nullable(),
  logStep: z.number().nullable(),
});

export type SamplingClockState = z.infer<typeof samplingClockStateSchema>;

/**
 * Learns a series' typical sampling step (a geometric mean, so one long outage barely moves it)
 * and says when an observation arrives after a gap. Steps of 0 or less (duplicate or out-of-order
 * timestamps) are ignored.
 */
export class SamplingClock {
  private lastTimestamp: number | null = null;
  private logStep: number | null = null;

  constructor(
    /** A step longer than this many typical steps is a gap. */
    private readonly gapFactor: number,
    /** Weight of a new step in the running mean of log steps. */
    private readonly stepSmoothing: number,
    state?: SamplingClockState,
  ) {
    if (state) {
      this.lastTimestamp = state.lastTimestamp;
      this.logStep = state.logStep;
    }
  }

  /** Records an observed timestamp; true when it comes after a gap. */
  observe(timestamp: number): boolean {
    let gap = false;
    if (this.lastTimestamp !== null) {
      const step = timestamp - this.lastTimestamp;
      if (step > 0) {
        const logStep = Math.log(step);
        if (this.logStep === null) {
          this.logStep = logStep;
        } else {
          gap = logStep > this.logStep + Math.log(this.gapFactor);
          this.logStep += this.stepSmoothing * (logStep - this.logStep);
        }
      }
    }
    this.lastTimestamp = timestamp;
    return gap;
  }

  snapshot(): SamplingClockState {
    return { lastTimestamp: this.lastTimestamp, logStep: this.logStep };
  }
}
