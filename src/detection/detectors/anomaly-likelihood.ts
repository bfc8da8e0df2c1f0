import { z } from 'zod';
import { normalTailProbability } from '../normal-tail.js';

export interface AnomalyLikelihoodSettings {
  /** Rows averaged into the short-term surprise. */
  shortWindow: number;
  /** Rows (roughly) the long-run distribution of that average remembers. */
  longWindow: number;
  /** Averages seen before the long-run distribution is trusted; the score is 0 until then. */
  warmupRows: number;
  /** Surprises beyond this many typical errors count as this many: one wild value must not swamp the average. */
  surpriseCap: number;
}

export const anomalyLikelihoodStateSchema = z.object({
  recent: z.array(z.number()),
  nextIndex: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  mean: z.number(),
  variance: z.number().nonnegative(),
});

export type AnomalyLikelihoodState = z.infer<typeof anomalyLikelihoodStateSchema>;

/** The tail probability that maps to a score of 1; also keeps log() finite. */
const SMALLEST_TAIL = 1e-10;
/** Keeps a perfectly steady history from dividing by 0. */
const MINIMUM_VARIANCE = 1e-6;

/**
 * HTM's anomaly likelihood over the forecaster's surprise: how unusual is the recent average
 * surprise compared with the long-run distribution of such averages on this very series? A noisy
 * series earns a wide distribution and stays quiet; a quiet one fires at a smaller change. A
 * sustained change (a level shift, a season that stops) moves the average for many rows, which is
 * where this view sees what a single residual cannot. Its upper tail probability, doubled so that
 * an ordinary (median) average scores 0, is reported as log(p) / log(1e-10) as NAB's HTM detector
 * reports its likelihood: 0.47 is an upper tail of 1e-5, 1 an upper tail of 5e-11 or less.
 */
export class AnomalyLikelihood {
  private readonly recent: Float64Array;
  private filled = 0;
  private nextIndex = 0;
  private count = 0;
  private mean = 0;
  private variance = 0;

  constructor(
    private readonly settings: AnomalyLikelihoodSettings,
    state?: AnomalyLikelihoodState,
  ) {
    this.recent = new Float64Array(settings.shortWindow);
    if (state) {
      if (state.recent.length > settings.shortWindow || state.nextIndex >= settings.shortWindow) throw new RangeError(`expected at most ${settings.shortWindow} recent surprises`);
      this.recent.set(state.recent);
      this.filled = state.recent.length;
      this.nextIndex = state.nextIndex;
      this.count = state.count;
      this.mean = state.mean;
      this.variance = state.variance;
    }
  }

  /** Adds the absolute surprise of one row and returns the likelihood score in [0, 1]. */
  update(absoluteSurprise: number): number {
    const settings = this.settings;
    // log1p compresses heavy tails so that one value moves the average by a bounded amount.
    this.recent[this.nextIndex] = Math.log1p(Math.min(absoluteSurprise, settings.surpriseCap));
    this.nextIndex = (this.nextIndex + 1) % settings.shortWindow;
    this.filled = Math.min(this.filled + 1, settings.shortWindow);
    let sum = 0;
    for (let index = 0; index < this.filled; index += 1) sum += this.recent[index] as number;
    const average = sum / this.filled;

    let score = 0;
    if (this.count > settings.warmupRows) {
      const standardised = (average - this.mean) / Math.sqrt(Math.max(this.variance, MINIMUM_VARIANCE));
      const tail = Math.min(1, 2 * normalTailProbability(standardised));
      score = Math.min(1, Math.max(0, Math.log(tail + SMALLEST_TAIL) / Math.log(SMALLEST_TAIL)));
    }
    this.count += 1;
    const weight = Math.max(1 / settings.longWindow, 1 / this.count);
    const deviation = average - this.mean;
    this.mean += weight * deviation;
    this.variance = (1 - weight) * (this.variance + weight * deviation * deviation);
    return score;
  }

  snapshot(): AnomalyLikelihoodState {
    return {
      recent: Array.from(this.recent.subarray(0, this.filled)),
      nextIndex: this.nextIndex,
      count: this.count,
      mean: this.mean,
      variance: this.variance,
    };
  }
}
