import { decompose } from './seasonal-decomposition.js';
import { finiteMean, finiteMedian } from './robust-statistics.js';

/**
 * The forecasters a series is backtested with, all made at one origin from the history up to it.
 *
 * - Seasonal naive (the value one day, or one week, earlier): the benchmark that automatic ETS and
 *   Theta lose to on hourly data, so it is always a candidate.
 * - Seasonal decomposition: a robust daily (and weekly) profile, a level (the median of the last
 *   day, deseasonalised) with an optional damped trend, and the current deviation from that level
 *   decaying with a half-life: an hour-ahead forecast keeps today's offset, a day-ahead one
 *   mostly forgets it. The half-life and the trend are chosen by the backtest, per series.
 * - Level: the same without a season, for series that have none (or too little history for one).
 */

export type ForecastModelKind = 'seasonal-naive' | 'seasonal-decomposition' | 'level';

export interface CandidateSpec {
  key: string;
  kind: ForecastModelKind;
  /** Season lengths in steps: [lag] for seasonal naive, the decomposition's periods, [] for the level model. */
  periods: number[];
  /** Steps over which today's deviation halves: 0 forgets it at once, Infinity keeps it. */
  halfLife: number;
  trend: boolean;
}

export interface CandidateContext {
  stepsPerDay: number;
  phaseOffset: number;
  /** The seasons the decomposition uses (detected), e.g. [288] or [288, 2016]; [] for none. */
  seasons: number[];
}

/** Steps of history a candidate needs before it can forecast. */
export function historyNeeded(spec: CandidateSpec): number {
  if (spec.kind === 'seasonal-naive') return spec.periods[0]!;
  if (spec.kind === 'seasonal-decomposition') return 2 * Math.max(...spec.periods);
  return 12;
}

export function candidateSpecs(context: CandidateContext, historyLength: number): CandidateSpec[] {
  const day = context.stepsPerDay;
  const halfLives = [0, day / 96, day / 24, day / 6, day, Number.POSITIVE_INFINITY].map((value) => (Number.isFinite(value) ? Math.max(0, value) : value));
  const specs: CandidateSpec[] = [];
  if (day >= 2) specs.push({ key: 'seasonal-naive:day', kind: 'seasonal-naive', periods: [day], halfLife: 0, trend: false });
  if (context.seasons.length > 1) specs.push({ key: 'seasonal-naive:week', kind: 'seasonal-naive', periods: [7 * day], halfLife: 0, trend: false });
  for (const halfLife of halfLives) {
    for (const trend of [false, true]) {
      if (context.seasons.length > 0) specs.push({ key: `decomposition:${halfLife}:${trend}`, kind: 'seasonal-decomposition', periods: context.seasons, halfLife, trend });
      specs.push({ key: `level:${halfLife}:${trend}`, kind: 'level', periods: [], halfLife, trend });
    }
  }
  return specs.filter((spec) => historyNeeded(spec) <= historyLength);
}

/**
 * Point forecasts of every spec from `history` (the series up to the origin, NaN for gaps), for
 * steps 1..horizon after its end. Specs of one kind share their decomposition.
 */
export function forecastCandidates(history: Float64Array, horizon: number, specs: readonly CandidateSpec[], context: CandidateContext): Map<string, Float64Array> {
  const forecasts = new Map<string, Float64Array>();
  const last = history.length - 1;
  const seasonal = specs.some((spec) => spec.kind === 'seasonal-decomposition') ? levelModel(history, context, context.seasons, horizon) : undefined;
  const plain = specs.some((spec) => spec.kind === 'level') ? levelModel(history, context, [], horizon) : undefined;
  for (const spec of specs) {
    if (spec.kind === 'seasonal-naive') {
      forecasts.set(spec.key, seasonalNaive(history, spec.periods[0]!, horizon));
      continue;
    }
    const model = spec.kind === 'level' ? plain! : seasonal!;
    const decay = spec.halfLife === 0 ? 0 : Number.isFinite(spec.halfLife) ? 0.5 ** (1 / spec.halfLife) : 1;
    const forecast = new Float64Array(horizon);
    let carried = model.deviation;
    let dampedTrend = 0;
    let trendWeight = 1;
    for (let step = 1; step <= horizon; step += 1) {
      carried *= decay;
      trendWeight *= model.trendDamping;
      dampedTrend += trendWeight;
      forecast[step - 1] = model.level + (spec.trend ? model.slope * dampedTrend : 0) + carried + model.seasonAt(last + step);
    }
    forecasts.set(spec.key, forecast);
  }
  return forecasts;
}

/** The value one season earlier; a gap there falls back to the season before, then to the last value seen. */
export function seasonalNaive(history: ArrayLike<number>, lag: number, horizon: number): Float64Array {
  const forecast = new Float64Array(horizon);
  const last = history.length - 1;
  let fallback = Number.NaN;
  for (let index = last; index >= 0 && !Number.isFinite(fallback); index -= 1) fallback = history[index]!;
  for (let step = 1; step <= horizon; step += 1) {
    let index = last + step - lag * Math.ceil(step / lag);
    while (index >= 0 && !Number.isFinite(history[index])) index -= lag;
    forecast[step - 1] = index >= 0 ? history[index]! : fallback;
  }
  return forecast;
}

interface LevelModel {
  /** The deseasonalised level at the origin (the trend included). */
  level: number;
  /** The last few steps' mean minus that level. */
  deviation: number;
  /** Trend per step, from the medians of the last days. */
  slope: number;
  /** Per-step damping of the trend: it adds less each step, and about two days' worth in all. */
  trendDamping: number;
  seasonAt(index: number): number;
}

function levelModel(history: Float64Array, context: CandidateContext, seasons: number[], horizon: number): LevelModel {
  const day = Math.max(2, context.stepsPerDay);
  // Only the recent past shapes the profiles (six days, four weeks): decomposing more is wasted work.
  const keep = seasons.length === 0 ? Math.max(4 * day, 2 * horizon) : Math.max(...seasons.map((period, index) => (index === 0 ? 7 : 5) * period));
  const start = Math.max(0, history.length - keep);
  const recentHistory = history.subarray(start);
  // Without a season there is nothing to take out: the history reaching here is already cleaned of outliers.
  const decomposition = seasons.length > 0 ? decompose(recentHistory, { periods: seasons, phaseOffset: context.phaseOffset + start, outlierSpreads: Number.POSITIVE_INFINITY }) : undefined;
  const adjusted = decomposition?.deseasonalised ?? recentHistory;
  const length = adjusted.length;
  const levelWindow = Math.min(length, seasons.length > 0 ? day : Math.max(12, Math.min(day, 2 * horizon)));
  const median = finiteMedian(adjusted.subarray(length - levelWindow));
  const slope = blockSlope(adjusted, levelWindow);
  // The median sits mid-window; the trend carries it to the origin.
  const level = (Number.isFinite(median) ? median : finiteMean(adjusted)) + slope * ((levelWindow - 1) / 2);
  const recentSteps = Math.max(1, Math.round(day / 96));
  const recent = finiteMean(adjusted.subarray(Math.max(0, length - recentSteps)));
  return {
    level,
    deviation: Number.isFinite(recent) ? recent - level : 0,
    slope,
    trendDamping: 1 - 1 / (2 * day),
    seasonAt: decomposition ? (index: number) => decomposition.seasonAt(index - start) : () => 0,
  };
}

/** Theil–Sen slope per step between the medians of consecutive blocks (at most seven) ending at the origin; 0 with fewer than three. */
function blockSlope(values: Float64Array, block: number): number {
  const medians: Array<{ centre: number; value: number }> = [];
  for (let end = values.length; end - block >= 0 && medians.length < 7; end -= block) {
    const value = finiteMedian(values.subarray(end - block, end));
    if (Number.isFinite(value)) medians.push({ centre: end - block / 2, value });
  }
  if (medians.length < 3) return 0;
  const slopes: number[] = [];
  for (let left = 0; left < medians.length; left += 1) {
    for (let right = left + 1; right < medians.length; right += 1) {
      slopes.push((medians[left]!.value - medians[right]!.value) / (medians[left]!.centre - medians[right]!.centre));
    }
  }
  return finiteMedian(slopes);
}
