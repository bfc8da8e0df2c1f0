import { z } from 'zod';
import { SeasonalForecaster, type SeasonalForecasterSettings, seasonalForecasterStateSchema } from './seasonal-forecaster.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface ForecastResidualSettings extends Omit<SeasonalForecasterSettings, 'periodMs' | 'bins'> {
  /** Phase bins of the daily season. */
  dailyBins: number;
  /** Phase bins of the weekly season. */
  weeklyBins: number;
}

export const forecastResidualStateSchema = z.object({
  forecasters: z.array(seasonalForecasterStateSchema).length(3),
});

export type ForecastResidualState = z.infer<typeof forecastResidualStateSchema>;

/**
 * The forecast-residual view: three forecasters run side by side (no season, a daily season, a
 * weekly season) and the one with the lowest recent error speaks. The choice is learned online
 * from the data, so a series with no rhythm is not forced into one, and a weekly rhythm (a quiet
 * weekend) is not mistaken for an anomaly every Saturday.
 */
export class ForecastResidualView {
  private readonly forecasters: SeasonalForecaster[];

  constructor(settings: ForecastResidualSettings, state?: ForecastResidualState) {
    const seasons = [
      { periodMs: 0, bins: 1 },
      { periodMs: DAY_MS, bins: settings.dailyBins },
      { periodMs: WEEK_MS, bins: settings.weeklyBins },
    ];
    this.forecasters = seasons.map((season, index) => new SeasonalForecaster({ ...settings, ...season }, state?.forecasters[index]));
  }

  /** The signed surprise of `value` (in typical errors) from the best forecaster; all of them learn. */
  update(timestamp: number, value: number, minimumScale: number): number {
    let bestError = Number.POSITIVE_INFINITY;
    let bestSurprise = 0;
    for (const forecaster of this.forecasters) {
      const surprise = forecaster.update(timestamp, value, minimumScale);
      // Ties keep the simpler forecaster (the earlier one).
      if (forecaster.selectionError < bestError) {
        bestError = forecaster.selectionError;
        bestSurprise = surprise;
      }
    }
    return bestSurprise;
  }

  reanchor(timestamp: number, value: number): void {
    for (const forecaster of this.forecasters) forecaster.reanchor(timestamp, value);
  }

  snapshot(): ForecastResidualState {
    return { forecasters: this.forecasters.map((forecaster) => forecaster.snapshot()) };
  }
}
