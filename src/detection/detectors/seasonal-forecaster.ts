import { z } from 'zod';

/**
 * One forecaster of the residual view: a level plus, optionally, a season indexed by the phase of
 * the timestamp (additive Holt-Winters without trend). Indexing the season by clock phase rather
 * than by row count is what lets it follow a daily or weekly rhythm through irregular sampling
 * and gaps. It answers how surprising a value is in units of its own typical absolute error.
 */
export interface SeasonalForecasterSettings {
  /** Length of the season in milliseconds; 0 for a level without season. */
  periodMs: number;
  /** Phase bins per period; ignored (1) without a season. */
  bins: number;
  /** Weight of a new value in the level. */
  levelSmoothing: number;
  /** Weight of a new value in its phase bin, once the bin has seen 1/seasonalSmoothing values. */
  seasonalSmoothing: number;
  /** Weight of a new absolute error in the typical absolute error (the scale). */
  errorSmoothing: number;
  /** Errors beyond this many scales are clipped before they update the scale, so a spike does not inflate it. */
  errorClip: number;
  /** Weight of a new error in the error the view uses to pick its best forecaster. */
  selectionSmoothing: number;
}

export const seasonalForecasterStateSchema = z.object({
  count: z.number().int().nonnegative(),
  level: z.number(),
  seasonal: z.array(z.number()),
  visits: z.array(z.number().int().nonnegative().max(65_535)),
  meanAbsoluteError: z.number().nonnegative(),
  selectionError: z.number().nonnegative(),
});

export type SeasonalForecasterState = z.infer<typeof seasonalForecasterStateSchema>;

/** Visits only matter until the bin's weight reaches its floor; a 16-bit counter is plenty. */
const MAXIMUM_VISITS = 65_535;

export class SeasonalForecaster {
  private count = 0;
  private level = 0;
  private readonly seasonal: Float64Array;
  private readonly visits: Uint16Array;
  private meanAbsoluteError = 0;
  private smoothedSelectionError = 0;

  constructor(
    private readonly settings: SeasonalForecasterSettings,
    state?: SeasonalForecasterState,
  ) {
    const bins = settings.periodMs > 0 ? settings.bins : 1;
    this.seasonal = new Float64Array(bins);
    this.visits = new Uint16Array(bins);
    if (state) {
      if (state.seasonal.length !== bins || state.visits.length !== bins) throw new RangeError(`expected ${bins} seasonal bins, got ${state.seasonal.length}`);
      this.count = state.count;
      this.level = state.level;
      this.seasonal.set(state.seasonal);
      this.visits.set(state.visits);
      this.meanAbsoluteError = state.meanAbsoluteError;
      this.smoothedSelectionError = state.selectionError;
    }
  }

  /** The smoothed absolute error the residual view compares forecasters by; lower is better. */
  get selectionError(): number {
    return this.smoothedSelectionError;
  }

  /**
   * The error of `value` against the forecast made before seeing it, divided by the typical
   * absolute error (never below `minimumScale`, so a perfectly flat history cannot divide by 0);
   * then learns from `value`. The first value only anchors the level and returns 0.
   */
  update(timestamp: number, value: number, minimumScale: number): number {
    const settings = this.settings;
    const bin = this.binOf(timestamp);
    if (this.count === 0) {
      this.level = value;
      this.count = 1;
      return 0;
    }
    const seasonal = this.seasonal[bin] as number;
    const error = value - (this.level + seasonal);
    const absoluteError = Math.abs(error);
    let surprise = 0;
    if (this.count === 1) {
      this.meanAbsoluteError = absoluteError;
      this.smoothedSelectionError = absoluteError;
    } else {
      const scale = Math.max(this.meanAbsoluteError, minimumScale);
      surprise = error / scale;
      const clipped = Math.min(absoluteError, settings.errorClip * scale);
      this.meanAbsoluteError += Math.max(settings.errorSmoothing, 1 / (this.count + 1)) * (clipped - this.meanAbsoluteError);
      this.smoothedSelectionError += Math.max(settings.selectionSmoothing, 1 / (this.count + 1)) * (clipped - this.smoothedSelectionError);
    }
    // Early on the level is a running mean, then an exponential one. A bin seen for the first time
    // has no seasonal estimate yet: the value teaches the bin, not the level.
    const firstVisit = settings.periodMs > 0 && this.visits[bin] === 0;
    if (!firstVisit) this.level += Math.max(settings.levelSmoothing, 1 / (this.count + 1)) * (value - seasonal - this.level);
    if (settings.periodMs > 0) {
      const visits = Math.min((this.visits[bin] as number) + 1, MAXIMUM_VISITS);
      this.visits[bin] = visits;
      // The first visits of a bin average what they see, so a season is usable after one period.
      this.seasonal[bin] = seasonal + Math.max(settings.seasonalSmoothing, 1 / visits) * (value - this.level - seasonal);
    }
    this.count += 1;
    return surprise;
  }

  /** After a gap the level is stale: move it so that the forecast at this phase is `value`. */
  reanchor(timestamp: number, value: number): void {
    if (this.count === 0) return;
    this.level = value - (this.seasonal[this.binOf(timestamp)] as number);
  }

  snapshot(): SeasonalForecasterState {
    return {
      count: this.count,
      level: this.level,
      seasonal: Array.from(this.seasonal),
      visits: Array.from(this.visits),
      meanAbsoluteError: this.meanAbsoluteError,
      selectionError: this.smoothedSelectionError,
    };
  }

  private binOf(timestamp: number): number {
    const { periodMs } = this.settings;
    if (periodMs <= 0) return 0;
    const phase = ((timestamp % periodMs) + periodMs) % periodMs;
    return Math.min(Math.floor((phase / periodMs) * this.seasonal.length), this.seasonal.length - 1);
  }
}
