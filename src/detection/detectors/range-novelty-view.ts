import { z } from 'zod';

export interface RangeNoveltySettings {
  /** A value must leave the range seen so far by more than this fraction of its width. */
  tolerance: number;
  /** ...and surprise the forecaster by at least this many typical errors (a slow drift to a new high is not news). */
  minimumSurprise: number;
}

export const rangeNoveltyStateSchema = z.object({
  count: z.number().int().nonnegative(),
  minimum: z.number(),
  maximum: z.number(),
});

export type RangeNoveltyState = z.infer<typeof rangeNoveltyStateSchema>;

/**
 * A new extreme scores at least this much, above the ensemble's default alert level (0.47): a
 * value beyond everything seen before is what an engineer looking at the chart calls an anomaly.
 */
const FLOOR_SCORE = 0.6;
/** How far past the range (in range widths beyond the tolerance) the score climbs most of the rest of the way to 1. */
const SCORE_SPAN = 0.2;

/**
 * The spatial view: scores a value that leaves the range of everything seen so far, as NAB's
 * HTM detector does with its "spatial anomaly". Cheap, scale-free and precise: a level shift
 * widens the range once and then stops firing.
 */
export class RangeNoveltyView {
  private count = 0;
  private minimum = 0;
  private maximum = 0;

  constructor(
    private readonly settings: RangeNoveltySettings,
    state?: RangeNoveltyState,
  ) {
    if (state) {
      this.count = state.count;
      this.minimum = state.minimum;
      this.maximum = state.maximum;
    }
  }

  /** Width of the range seen so far (0 before two distinct values). */
  get width(): number {
    return this.count === 0 ? 0 : this.maximum - this.minimum;
  }

  /** Largest magnitude seen so far, for scale floors. */
  get magnitude(): number {
    return this.count === 0 ? 0 : Math.max(Math.abs(this.minimum), Math.abs(this.maximum));
  }

  /** Scores `value` (with the forecaster's absolute surprise) against the range, then widens the range. */
  update(value: number, absoluteSurprise: number): number {
    let score = 0;
    const width = this.width;
    if (width > 0 && absoluteSurprise >= this.settings.minimumSurprise) {
      const excess = Math.max(value - this.maximum, this.minimum - value) / width;
      if (excess > this.settings.tolerance) score = FLOOR_SCORE + (1 - FLOOR_SCORE) * (1 - Math.exp(-(excess - this.settings.tolerance) / SCORE_SPAN));
    }
    if (this.count === 0) {
      this.minimum = value;
      this.maximum = value;
    } else {
      this.minimum = Math.min(this.minimum, value);
      this.maximum = Math.max(this.maximum, value);
    }
    this.count += 1;
    return score;
  }

  snapshot(): RangeNoveltyState {
    return { count: this.count, minimum: this.minimum, maximum: this.maximum };
  }
}
