import { candidateSpecs, forecastCandidates, historyNeeded, type CandidateSpec, type ForecastModelKind } from './forecast-candidates.js';
import { predictionBounds } from './prediction-bounds.js';
import { seasonsAndDecomposition, type Season } from './season-detection.js';
import type { Decomposition } from './seasonal-decomposition.js';

/**
 * Forecasts a regular series (one value per step, NaN for a gap) `horizon` steps past its end.
 *
 * Every candidate (forecast-candidates.ts) is backtested on the series' own recent past: from
 * origins spaced through the last days, each sees only the history before it and forecasts the
 * horizon that follows, and the candidate with the lowest mean absolute error wins. Its errors at
 * those origins, grouped by how far ahead they were, give the prediction bounds, so the bounds
 * widen with the horizon exactly as much as this series' forecasts did go wrong.
 */

export interface ForecastOptions {
  /** Seconds between values. */
  stepSeconds: number;
  /** Steps to forecast. */
  horizon: number;
  /** The step index of values[0] counted from the Unix epoch, so a phase is a time of day (default 0). */
  phaseOffset?: number;
  /** Most backtest origins (default: enough for about 2,000 scored errors, from 4 to 24). */
  maximumOrigins?: number;
}

export interface ForecastModel {
  kind: ForecastModelKind;
  /** The detected seasons the model uses (a seasonal naive forecast may lag a day the detection did not call a season). */
  seasons: Season[];
  /** Seasonal naive only: how many steps back the copied value lies. */
  lagSteps?: number;
  /** Steps in which the current deviation from the level halves (decomposition and level models). */
  halfLifeSteps?: number;
  trend: boolean;
}

export interface BacktestSummary {
  origins: number;
  /** Mean absolute error of the chosen model over the backtest. */
  meanAbsoluteError: number;
  /** The same for the seasonal naive forecast (value one day earlier), when it could be backtested. */
  seasonalNaiveError?: number;
}

export type SeriesForecast =
  | {
      status: 'ok';
      model: ForecastModel;
      /** Seasons the history shows, whatever the chosen model uses. */
      detectedSeasons: Season[];
      point: number[];
      /** One-sided 5% and 95% bounds: together a 90% interval; `upper` is what to provision for. */
      lower: number[];
      upper: number[];
      backtest: BacktestSummary;
    }
  | { status: 'too-short'; stepsNeeded: number; stepsGiven: number };

/** Fewest steps a model is fitted on in the backtest. */
const MINIMUM_TRAINING_STEPS = 12;

export function forecastSeries(values: ArrayLike<number>, options: ForecastOptions): SeriesForecast {
  const horizon = options.horizon;
  const history = Float64Array.from(values);
  const length = history.length;
  const stepsPerDay = Math.max(1, Math.round(86_400 / options.stepSeconds));
  const phaseOffset = options.phaseOffset ?? 0;
  const finiteCount = history.reduce((count, value) => count + (Number.isFinite(value) ? 1 : 0), 0);
  const stepsNeeded = MINIMUM_TRAINING_STEPS + horizon;
  if (length < stepsNeeded || finiteCount < MINIMUM_TRAINING_STEPS) return { status: 'too-short', stepsNeeded, stepsGiven: finiteCount };

  const { seasons: detected, decomposition, start: decomposedFrom } = seasonsAndDecomposition(history, { stepsPerDay, phaseOffset });
  const maximumOrigins = options.maximumOrigins ?? Math.min(24, Math.max(4, Math.ceil(2000 / horizon)));
  const stride = Math.max(horizon, Math.ceil(stepsPerDay / 4));
  const allOrigins: number[] = [];
  for (let origin = length - 1 - horizon; origin + 1 >= MINIMUM_TRAINING_STEPS && allOrigins.length < maximumOrigins; origin -= stride) allOrigins.push(origin);

  // Seasons the backtest can afford: a weekly model needs weeks of history before its origins too.
  let seasons = detected.map((season) => season.period);
  let specs: CandidateSpec[];
  let origins: number[];
  for (;;) {
    specs = candidateSpecs({ stepsPerDay, phaseOffset, seasons }, length);
    const need = Math.max(MINIMUM_TRAINING_STEPS, ...specs.map(historyNeeded));
    origins = allOrigins.filter((origin) => origin + 1 >= need);
    if (origins.length >= Math.min(3, allOrigins.length) || seasons.length === 0) break;
    seasons = seasons.slice(0, -1);
  }
  if (origins.length === 0) {
    specs = specs.filter((spec) => spec.kind === 'level');
    origins = allOrigins;
  }

  const context = { stepsPerDay, phaseOffset, seasons };
  const cleaned = withoutOutliers(history, decomposition, decomposedFrom);
  const errors = new Map<string, Float64Array[]>(specs.map((spec) => [spec.key, []]));
  const absoluteSums = new Map<string, { sum: number; count: number }>(specs.map((spec) => [spec.key, { sum: 0, count: 0 }]));
  for (const origin of origins) {
    const forecasts = forecastCandidates(cleaned.subarray(0, origin + 1), horizon, specs, context);
    for (const spec of specs) {
      const forecast = forecasts.get(spec.key)!;
      const error = new Float64Array(horizon);
      const total = absoluteSums.get(spec.key)!;
      for (let step = 1; step <= horizon; step += 1) {
        const actual = history[origin + step]!;
        error[step - 1] = actual - forecast[step - 1]!;
        if (Number.isFinite(error[step - 1])) {
          total.sum += Math.abs(error[step - 1]!);
          total.count += 1;
        }
      }
      errors.get(spec.key)!.push(error);
    }
  }
  const meanError = (key: string) => {
    const total = absoluteSums.get(key);
    return total && total.count > 0 ? total.sum / total.count : Number.POSITIVE_INFINITY;
  };
  // Ties keep the earlier (simpler) candidate: seasonal naive first.
  let chosen = specs[0]!;
  for (const spec of specs) if (meanError(spec.key) < meanError(chosen.key)) chosen = spec;

  const point = forecastCandidates(cleaned, horizon, [chosen], context).get(chosen.key)!;
  const bounds = predictionBounds(point, errors.get(chosen.key)!, history);
  const nonNegative = history.every((value) => !Number.isFinite(value) || value >= 0);
  const clamp = (value: number) => (nonNegative ? Math.max(0, value) : value);
  const seasonalNaiveKey = specs.find((spec) => spec.key === 'seasonal-naive:day')?.key;
  return {
    status: 'ok',
    model: {
      kind: chosen.kind,
      seasons: chosen.kind === 'level' ? [] : detected.filter((season) => chosen.periods.includes(season.period)),
      ...(chosen.kind === 'seasonal-naive' ? { lagSteps: chosen.periods[0]! } : {}),
      ...(chosen.kind === 'seasonal-naive' ? {} : { halfLifeSteps: chosen.halfLife }),
      trend: chosen.trend,
    },
    detectedSeasons: detected,
    point: Array.from(point, clamp),
    lower: bounds.lower.map(clamp),
    upper: bounds.upper.map(clamp),
    backtest: {
      origins: origins.length,
      meanAbsoluteError: meanError(chosen.key),
      ...(seasonalNaiveKey ? { seasonalNaiveError: meanError(seasonalNaiveKey) } : {}),
    },
  };
}

/**
 * The history with its outliers (a spike, an outage-sized burst) replaced by trend + season, so
 * that no candidate, seasonal naive included, copies yesterday's incident into tomorrow. The
 * backtest still scores against what really happened, so the bounds keep room for such bursts.
 */
function withoutOutliers(history: Float64Array, decomposition: Decomposition, start: number): Float64Array {
  if (decomposition.outliers === 0) return history;
  const cleaned = Float64Array.from(history);
  for (let index = start; index < history.length; index += 1) {
    if (Number.isFinite(history[index])) cleaned[index] = decomposition.deseasonalised[index - start]! + decomposition.seasonAt(index - start);
  }
  return cleaned;
}
