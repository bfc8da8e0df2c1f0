import { z } from 'zod';
import type { AnomalyDetector, DetectorState } from './detector.js';
import { AnomalyLikelihood, anomalyLikelihoodStateSchema } from './detectors/anomaly-likelihood.js';
import { ForecastResidualView, forecastResidualStateSchema } from './detectors/forecast-residual-view.js';
import { RangeNoveltyView, rangeNoveltyStateSchema } from './detectors/range-novelty-view.js';
import { SamplingClock, samplingClockStateSchema } from './sampling-clock.js';

/** Every setting of the ensemble, defaults applied (see DetectorOptions in create-detector.ts). */
export interface EnsembleSettings {
  learningRows: number;
  dailyBins: number;
  weeklyBins: number;
  levelSmoothing: number;
  seasonalSmoothing: number;
  errorSmoothing: number;
  errorClip: number;
  selectionSmoothing: number;
  surpriseCap: number;
  likelihoodShortWindow: number;
  likelihoodLongWindow: number;
  likelihoodWarmupRows: number;
  rangeTolerance: number;
  rangeMinimumSurprise: number;
  alertLevel: number;
  holdoffRows: number;
  holdoffCeiling: number;
  gapFactor: number;
  stepSmoothing: number;
}

export const ENSEMBLE_KIND = 'ensemble';
export const ENSEMBLE_VERSION = 1;

/** The parts of a snapshot after `kind`, `version` and `settings` (checked by restoreDetector). */
export const ensembleBodySchema = z.object({
  rows: z.number().int().nonnegative(),
  holdoffRemaining: z.number().int().nonnegative(),
  clock: samplingClockStateSchema,
  forecast: forecastResidualStateSchema,
  range: rangeNoveltyStateSchema,
  likelihood: anomalyLikelihoodStateSchema,
});

export type EnsembleBody = z.infer<typeof ensembleBodySchema>;

export interface EnsembleState extends DetectorState, EnsembleBody {
  kind: typeof ENSEMBLE_KIND;
  version: typeof ENSEMBLE_VERSION;
  settings: EnsembleSettings;
}

/*
 * Scale floors for the forecasters, so that a perfectly flat history (typical error 0) still
 * yields finite surprises: a thousandth of the range seen, a billionth of the magnitude seen.
 */
const RANGE_SCALE_FLOOR = 1e-3;
const MAGNITUDE_SCALE_FLOOR = 1e-9;
const ABSOLUTE_SCALE_FLOOR = 1e-12;

/**
 * The streaming univariate detector: three views of one series combined into one score.
 *
 * - forecast residual: the best of three online forecasters (level, daily, weekly season) says
 *   how many typical errors the value is off;
 * - anomaly likelihood: how unusual the recent average of those surprises is on this series
 *   (spikes, level shifts, a season that changes or stops);
 * - range novelty: a value beyond everything seen so far.
 *
 * The score is the strongest view. An alert (a score at or above `alertLevel`) is followed by a
 * hold-off during which scores are capped below the alert level: one incident, one alert, and
 * the forecasters re-learn a new level meanwhile. An alert the caller dismisses (too small a
 * change to matter) starts no hold-off. A gap in the timestamps re-anchors the
 * forecasters' levels instead of reading the jump across it as news.
 */
export class EnsembleDetector implements AnomalyDetector {
  private readonly clock: SamplingClock;
  private readonly forecast: ForecastResidualView;
  private readonly range: RangeNoveltyView;
  private readonly likelihood: AnomalyLikelihood;
  private rows = 0;
  private holdoffRemaining = 0;
  /** Whether the last update started a hold-off (not saved: dismiss follows its update at once). */
  private startedHoldoff = false;

  constructor(
    private readonly settings: EnsembleSettings,
    body?: EnsembleBody,
  ) {
    this.clock = new SamplingClock(settings.gapFactor, settings.stepSmoothing, body?.clock);
    this.forecast = new ForecastResidualView(settings, body?.forecast);
    this.range = new RangeNoveltyView({ tolerance: settings.rangeTolerance, minimumSurprise: settings.rangeMinimumSurprise }, body?.range);
    this.likelihood = new AnomalyLikelihood(
      {
        shortWindow: settings.likelihoodShortWindow,
        longWindow: settings.likelihoodLongWindow,
        warmupRows: settings.likelihoodWarmupRows,
        surpriseCap: settings.surpriseCap,
      },
      body?.likelihood,
    );
    if (body) {
      this.rows = body.rows;
      this.holdoffRemaining = body.holdoffRemaining;
    }
  }

  update(timestamp: number, value: number): number {
    this.startedHoldoff = false;
    if (!Number.isFinite(value) || !Number.isFinite(timestamp)) return 0;
    const settings = this.settings;
    this.rows += 1;
    if (this.clock.observe(timestamp)) this.forecast.reanchor(timestamp, value);
    const minimumScale = Math.max(RANGE_SCALE_FLOOR * this.range.width, MAGNITUDE_SCALE_FLOOR * this.range.magnitude, ABSOLUTE_SCALE_FLOOR);
    const surprise = Math.abs(this.forecast.update(timestamp, value, minimumScale));
    const rangeScore = this.range.update(value, surprise);
    const likelihoodScore = this.likelihood.update(surprise);
    if (this.rows <= settings.learningRows) return 0;

    let score = Math.max(rangeScore, likelihoodScore);
    if (this.holdoffRemaining > 0) {
      this.holdoffRemaining -= 1;
      score = Math.min(score, settings.holdoffCeiling);
    } else if (score >= settings.alertLevel) {
      this.holdoffRemaining = settings.holdoffRows;
      this.startedHoldoff = true;
    }
    return Math.min(1, Math.max(0, score));
  }

  /** An alert nobody raised holds nothing off: the hold-off is for one incident, one alert. */
  dismiss(): void {
    if (this.startedHoldoff) this.holdoffRemaining = 0;
    this.startedHoldoff = false;
  }

  snapshot(): EnsembleState {
    return {
      kind: ENSEMBLE_KIND,
      version: ENSEMBLE_VERSION,
      settings: { ...this.settings },
      rows: this.rows,
      holdoffRemaining: this.holdoffRemaining,
      clock: this.clock.snapshot(),
      forecast: this.forecast.snapshot(),
      range: this.range.snapshot(),
      likelihood: this.likelihood.snapshot(),
    };
  }
}
