import { definedOnly } from '../defined-only.js';
import { inputError } from '../errors.js';
import type { Sample } from '../signals.js';

/**
 * Time to exhaustion of a saturating signal: memory towards its limit, CPU towards its request or
 * limit, a disk filling up, a connection pool running dry.
 *
 * The model. Over the recent window, the series is cut after its last sharp, lasting drop (an
 * OOM kill and restart, a cleanup) and after its last change of trend (a leak that a deploy
 * started), so the fit sees only the current climb. On that segment the trend is a straight line:
 * the Theil–Sen slope (median of pairwise slopes) through the median of what remains, which a few
 * outliers do not move. The line must rise significantly (Mann–Kendall test); then the time to
 * exhaustion is where the line meets capacity, and the confidence is the probability that the
 * value at `now + horizon` is at or above capacity, when that value is normal around the line with
 * the variance of the line's level and slope (Sen's rank interval for the slope) plus the
 * residual spread (a robust standard deviation of the residuals). Residuals of real metrics are
 * autocorrelated, which makes that variance too small; the significance gate and the caller's
 * confidence threshold are set with that in mind.
 */

export interface ExhaustionOptions {
  /** The instant the estimate is for, ms since the epoch (default: the last valid sample's time). */
  now?: number;
  /** How far back samples are used, in seconds (default 21,600: 6 h). */
  windowSeconds?: number;
  /** How far ahead the confidence looks, in seconds (default 21,600: 6 h). */
  horizonSeconds?: number;
  /** Fewest valid samples in the fitted segment (default 8). */
  minimumPoints?: number;
  /** Shortest time the fitted segment must cover, in seconds (default 600: 10 min). */
  minimumSpanSeconds?: number;
  /** Older than this, in seconds, the last sample says nothing about now (default 900: 15 min). */
  maximumStalenessSeconds?: number;
  /** Samples kept for the fit; longer segments are thinned evenly, bounding the pairwise work (default 120). */
  maximumPoints?: number;
  /** Smallest Mann–Kendall z-score that counts as a rising trend (default 3). */
  minimumTrendZ?: number;
  /** A restart is a drop of at least this share of capacity (default 0.05)... */
  restartDropFraction?: number;
  /** ...and of at least this many times the spread of step-to-step changes (default 6). */
  restartDropNoiseMultiplier?: number;
}

export const EXHAUSTION_DEFAULTS: Required<Omit<ExhaustionOptions, 'now'>> = {
  windowSeconds: 6 * 3600,
  horizonSeconds: 6 * 3600,
  minimumPoints: 8,
  minimumSpanSeconds: 600,
  maximumStalenessSeconds: 900,
  maximumPoints: 120,
  minimumTrendZ: 3,
  restartDropFraction: 0.05,
  restartDropNoiseMultiplier: 6,
};

/**
 * - `predicted`: the trend rises and meets capacity after `now` (possibly beyond the horizon).
 * - `exhausted`: the trend is already at or above capacity; a prediction comes too late.
 * - `not-rising`: the trend is flat or falling.
 * - `no-trend`: the slope is positive but not distinguishable from noise.
 * - `insufficient-data`: too few points or too short a span since the window start or the last restart.
 * - `stale`: the newest sample is too old to speak for now.
 */
export type ExhaustionStatus = 'predicted' | 'exhausted' | 'not-rising' | 'no-trend' | 'insufficient-data' | 'stale';

export interface ExhaustionEstimate {
  status: ExhaustionStatus;
  /** Seconds from `now` until the trend meets capacity; 0 when exhausted; undefined when it never does. */
  secondsToExhaustion: number | undefined;
  /** `now + secondsToExhaustion`, ms since the epoch. */
  exhaustionAt?: number;
  /** 90% range from the slope's uncertainty; `latest` undefined when a flat trend is still plausible. */
  secondsToExhaustionRange?: { earliest: number; latest: number | undefined };
  /** Probability that the value at `now + horizon` reaches capacity; 0 unless the trend rises significantly. */
  confidence: number;
  /** Trend slope in value units per second; 0 when there was nothing to fit. */
  slopePerSecond: number;
  /** The trend's value at `now`. */
  levelNow?: number;
  /** Robust standard deviation of the residuals around the trend, in value units. */
  residualSpread?: number;
  /** Mann–Kendall z-score of the fitted segment; 0 when there was nothing to fit. */
  trendZ: number;
  /** The samples the line was fitted on: first and last timestamp, and how many. */
  fit?: { start: number; end: number; points: number };
  /** When the last restart-like drop happened, if one did inside the window. */
  restartedAt?: number;
  now: number;
  horizonSeconds: number;
  capacity: number;
}

/** A normal quantile for the 90% two-sided range. */
const Z_NINETY = 1.6449;
/** Residual spreads below this share of capacity are rounding, not noise. */
const SPREAD_FLOOR = 1e-6;

export function estimateExhaustion(samples: readonly Sample[], capacity: number, options: ExhaustionOptions = {}): ExhaustionEstimate {
  const settings = { ...EXHAUSTION_DEFAULTS, ...definedOnly(options) };
  validate(capacity, settings);
  const valid = samples.filter((sample) => Number.isFinite(sample.timestamp) && Number.isFinite(sample.value));
  const now = options.now ?? valid.reduce((latest, sample) => Math.max(latest, sample.timestamp), Number.NEGATIVE_INFINITY);
  const base = { now, horizonSeconds: settings.horizonSeconds, capacity };
  const nothing = { secondsToExhaustion: undefined, confidence: 0, slopePerSecond: 0, trendZ: 0, ...base };
  if (!Number.isFinite(now)) return { status: 'insufficient-data', ...nothing };

  const inWindow = inTimeOrder(valid.filter((sample) => sample.timestamp <= now && sample.timestamp >= now - settings.windowSeconds * 1000));
  const last = inWindow[inWindow.length - 1];
  if (!last) return { status: 'insufficient-data', ...nothing };
  if (now - last.timestamp > settings.maximumStalenessSeconds * 1000) return { status: 'stale', ...nothing };
  // Internally, time is seconds since the window's first sample and values are shares of capacity,
  // which keeps the sums of squares below well conditioned.
  const origin = inWindow[0]!.timestamp;
  const points = inWindow.map((sample) => ({ time: (sample.timestamp - origin) / 1000, value: sample.value / capacity }));

  const restartIndex = lastRestartIndex(points, settings);
  const restartedAt = restartIndex > 0 ? inWindow[restartIndex]!.timestamp : undefined;
  const sinceRestart = points.slice(restartIndex);
  if (!hasEnough(sinceRestart, settings)) return { status: 'insufficient-data', ...nothing, restartedAt };
  const segment = thinned(sinceRestart.slice(lastTrendChangeIndex(sinceRestart, settings)), settings.maximumPoints);

  const line = theilSen(segment);
  const nowSeconds = (now - origin) / 1000;
  const levelNow = line.level + line.slope * (nowSeconds - line.centre);
  const fitted = {
    slopePerSecond: line.slope * capacity,
    levelNow: levelNow * capacity,
    residualSpread: line.spread * capacity,
    trendZ: line.trendZ,
    fit: { start: origin + segment[0]!.time * 1000, end: origin + segment[segment.length - 1]!.time * 1000, points: segment.length },
    restartedAt,
    ...base,
  };
  if (levelNow >= 1) return { status: 'exhausted', secondsToExhaustion: 0, exhaustionAt: now, confidence: 1, ...fitted };
  if (line.slope <= 0) return { status: 'not-rising', secondsToExhaustion: undefined, confidence: 0, ...fitted };
  if (line.trendZ < settings.minimumTrendZ) return { status: 'no-trend', secondsToExhaustion: undefined, confidence: 0, ...fitted };

  const gap = 1 - levelNow;
  const secondsToExhaustion = gap / line.slope;
  const slowest = line.slope - Z_NINETY * line.slopeError;
  const horizonOffset = nowSeconds + settings.horizonSeconds - line.centre;
  const levelAtHorizon = line.level + line.slope * horizonOffset;
  const levelError = line.spread * Math.sqrt(Math.PI / (2 * segment.length));
  const spreadAtHorizon = Math.sqrt(levelError ** 2 + (horizonOffset * line.slopeError) ** 2 + line.spread ** 2);
  return {
    status: 'predicted',
    secondsToExhaustion,
    exhaustionAt: now + secondsToExhaustion * 1000,
    secondsToExhaustionRange: { earliest: gap / (line.slope + Z_NINETY * line.slopeError), latest: slowest > 0 ? gap / slowest : undefined },
    confidence: standardNormalCdf((levelAtHorizon - 1) / spreadAtHorizon),
    ...fitted,
  };
}

interface Point {
  time: number;
  value: number;
}


function validate(capacity: number, settings: typeof EXHAUSTION_DEFAULTS): void {
  if (!Number.isFinite(capacity) || capacity <= 0) throw inputError('capacity', 'expected a positive finite number (skip series without a limit)');
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) throw inputError(name, 'expected a non-negative finite number');
  }
  if (settings.minimumPoints < 3) throw inputError('minimumPoints', 'expected at least 3');
  if (settings.maximumPoints < settings.minimumPoints) throw inputError('maximumPoints', 'expected at least minimumPoints');
}

/** Samples in time order; several at one instant count as their mean (a duplicated scrape). */
function inTimeOrder(samples: Sample[]): Sample[] {
  const sorted = samples.every((sample, index) => index === 0 || samples[index - 1]!.timestamp < sample.timestamp)
    ? samples
    : [...samples].sort((left, right) => left.timestamp - right.timestamp);
  const merged: Sample[] = [];
  let sameInstant = 1;
  for (const sample of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && previous.timestamp === sample.timestamp) {
      sameInstant += 1;
      merged[merged.length - 1] = { timestamp: sample.timestamp, value: previous.value + (sample.value - previous.value) / sameInstant };
    } else {
      sameInstant = 1;
      merged.push(sample);
    }
  }
  return merged;
}

function hasEnough(points: readonly Point[], settings: typeof EXHAUSTION_DEFAULTS): boolean {
  return points.length >= settings.minimumPoints && points[points.length - 1]!.time - points[0]!.time >= settings.minimumSpanSeconds;
}

/**
 * Index of the first sample after the last restart-like drop, or 0. A drop counts when it is large
 * against capacity and against the step-to-step noise, and lasts: the median of the few samples
 * after it stays below the median of the few before, so a lone spike or dip does not cut the series.
 */
function lastRestartIndex(points: readonly Point[], settings: typeof EXHAUSTION_DEFAULTS): number {
  if (points.length < 2) return 0;
  const steps = points.slice(1).map((point, index) => point.value - points[index]!.value);
  const typicalStep = median(steps);
  const stepSpread = 1.4826 * median(steps.map((step) => Math.abs(step - typicalStep)));
  const threshold = Math.max(settings.restartDropFraction, settings.restartDropNoiseMultiplier * stepSpread);
  const neighbours = 3;
  for (let index = points.length - 1; index >= 1; index -= 1) {
    if (points[index - 1]!.value - points[index]!.value < threshold) continue;
    const before = median(points.slice(Math.max(0, index - neighbours), index).map((point) => point.value));
    const after = median(points.slice(index, index + neighbours).map((point) => point.value));
    if (before - after >= threshold) return index;
  }
  return 0;
}

/**
 * Index where the current trend starts: the series is split where a change of trend pays (see
 * bestSplit), then what follows is searched again, until the last part holds none. Only the most
 * telling split would keep an older change: a surge an hour ago, then a scale-out ten minutes ago,
 * would be fitted as one climb from the surge through the scale-out's step.
 */
function lastTrendChangeIndex(points: readonly Point[], settings: typeof EXHAUSTION_DEFAULTS): number {
  let start = 0;
  for (let split = bestSplit(points, settings); split > 0; split = bestSplit(points.slice(start), settings)) start += split;
  return start;
}

/**
 * The best split into two least-squares lines, taken when it beats one line by more than the
 * Bayesian information criterion's price of the extra line and breakpoint (3 ln n); 0 for none. A
 * leak that began an hour into a flat six-hour window is otherwise averaged away by the flat part.
 * Least squares with prefix sums keeps the search linear in the window.
 */
function bestSplit(points: readonly Point[], settings: typeof EXHAUSTION_DEFAULTS): number {
  const count = points.length;
  const sums = prefixSums(points);
  const floor = count * SPREAD_FLOOR ** 2;
  const singleLine = squaredErrors(sums, 0, count) + floor;
  let bestIndex = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let index = 3; index <= count - settings.minimumPoints; index += 1) {
    if (points[count - 1]!.time - points[index]!.time < settings.minimumSpanSeconds) break;
    const cost = squaredErrors(sums, 0, index) + squaredErrors(sums, index, count) + floor;
    if (cost < bestCost) {
      bestCost = cost;
      bestIndex = index;
    }
  }
  return bestIndex > 0 && count * Math.log(singleLine / bestCost) > 3 * Math.log(count) ? bestIndex : 0;
}

interface PrefixSums {
  time: Float64Array;
  value: Float64Array;
  timeSquared: Float64Array;
  timeValue: Float64Array;
  valueSquared: Float64Array;
}

function prefixSums(points: readonly Point[]): PrefixSums {
  const size = points.length + 1;
  const sums = { time: new Float64Array(size), value: new Float64Array(size), timeSquared: new Float64Array(size), timeValue: new Float64Array(size), valueSquared: new Float64Array(size) };
  points.forEach((point, index) => {
    sums.time[index + 1] = sums.time[index]! + point.time;
    sums.value[index + 1] = sums.value[index]! + point.value;
    sums.timeSquared[index + 1] = sums.timeSquared[index]! + point.time * point.time;
    sums.timeValue[index + 1] = sums.timeValue[index]! + point.time * point.value;
    sums.valueSquared[index + 1] = sums.valueSquared[index]! + point.value * point.value;
  });
  return sums;
}

/** Residual sum of squares of the least-squares line through points [from, to). */
function squaredErrors(sums: PrefixSums, from: number, to: number): number {
  const count = to - from;
  // Sums over [from, to) by plain subtraction, not a closure: bestSplit calls this for every split it
  // tries, and under tsx each closure made also gets its name set (esbuild's keepNames).
  const time = sums.time[to]! - sums.time[from]!;
  const value = sums.value[to]! - sums.value[from]!;
  const timeVariation = sums.timeSquared[to]! - sums.timeSquared[from]! - (time * time) / count;
  const valueVariation = sums.valueSquared[to]! - sums.valueSquared[from]! - (value * value) / count;
  const covariation = sums.timeValue[to]! - sums.timeValue[from]! - (time * value) / count;
  const explained = timeVariation > 0 ? (covariation * covariation) / timeVariation : 0;
  return Math.max(0, valueVariation - explained);
}

/** At most `maximum` points, evenly spread, always keeping the first and the newest. */
function thinned(points: readonly Point[], maximum: number): Point[] {
  if (points.length <= maximum) return [...points];
  return Array.from({ length: maximum }, (_, index) => points[Math.round((index * (points.length - 1)) / (maximum - 1))]!);
}

interface RobustLine {
  slope: number;
  /** Sen's standard error of the slope (at least the least-squares one under the robust spread). */
  slopeError: number;
  /** The line's value at `centre`. */
  level: number;
  /** Mean time of the points: where the level's and the slope's errors are uncorrelated. */
  centre: number;
  spread: number;
  trendZ: number;
}

function theilSen(points: readonly Point[]): RobustLine {
  const count = points.length;
  const times = Float64Array.from(points, (point) => point.time);
  const values = Float64Array.from(points, (point) => point.value);
  const slopes = new Float64Array((count * (count - 1)) / 2);
  let kendall = 0;
  let pairs = 0;
  for (let later = 1; later < count; later += 1) {
    const laterTime = times[later]!;
    const laterValue = values[later]!;
    for (let earlier = 0; earlier < later; earlier += 1) {
      const rise = laterValue - values[earlier]!;
      slopes[pairs] = rise / (laterTime - times[earlier]!);
      kendall += rise > 0 ? 1 : rise < 0 ? -1 : 0;
      pairs += 1;
    }
  }
  const slope = quantileOf(slopes, 0.5);

  // Sen's interval for the slope: ranks (N ∓ z·sd(S)) / 2 of the sorted pairwise slopes, with
  // sd(S) the Mann–Kendall statistic's; at z = 1 its half-width is one standard error.
  const kendallDeviation = Math.sqrt((count * (count - 1) * (2 * count + 5)) / 18);
  const lowerRank = (pairs - kendallDeviation) / 2;
  const upperRank = (pairs + kendallDeviation) / 2 + 1;
  const rankSlope = (rank: number) => quantileOf(slopes, Math.min(1, Math.max(0, (rank - 1) / (pairs - 1))));
  const senError = (rankSlope(upperRank) - rankSlope(lowerRank)) / 2;

  const centre = points.reduce((sum, point) => sum + point.time, 0) / count;
  const level = median(points.map((point) => point.value - slope * (point.time - centre)));
  const spread = robustSpread(points.map((point) => Math.abs(point.value - level - slope * (point.time - centre))));
  const timeVariation = points.reduce((sum, point) => sum + (point.time - centre) ** 2, 0);
  const trendZ = (kendall - Math.sign(kendall)) / kendallDeviation;
  return { slope, slopeError: Math.max(senError, spread / Math.sqrt(timeVariation)), level, centre, spread, trendZ };
}

/**
 * Standard deviation of the residuals, robust to a few outliers. The median absolute residual
 * alone collapses to zero when most residuals are exactly zero (integer counts, alternating
 * values), which would make any line look certain; the mean of the smallest 90% does not, and
 * the larger of the two, each scaled to a normal's standard deviation, is used.
 */
function robustSpread(absoluteResiduals: readonly number[]): number {
  const sorted = Float64Array.from(absoluteResiduals).sort();
  const kept = sorted.subarray(0, Math.max(1, Math.floor(0.9 * sorted.length)));
  const trimmedMean = kept.reduce((sum, value) => sum + value, 0) / kept.length;
  return Math.max(SPREAD_FLOOR, 1.4826 * quantileOf(sorted, 0.5), 1.5214 * trimmedMean);
}

/**
 * The `share` quantile, interpolated between order statistics. Reorders `values` in place: a
 * selection is linear where sorting the tens of thousands of pairwise slopes dominated the cost.
 */
function quantileOf(values: Float64Array, share: number): number {
  const position = share * (values.length - 1);
  const below = Math.floor(position);
  const lower = orderStatistic(values, below);
  if (position === below) return lower;
  // After the selection everything to the right of `below` is at least `lower`.
  let upper = Number.POSITIVE_INFINITY;
  for (let index = below + 1; index < values.length; index += 1) upper = Math.min(upper, values[index]!);
  return lower + (upper - lower) * (position - below);
}

/** Hoare's quickselect: the value of rank `rank` (0-based), with smaller values moved before it. */
function orderStatistic(values: Float64Array, rank: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const pivot = values[(left + right) >> 1]!;
    let low = left;
    let high = right;
    while (low <= high) {
      while (values[low]! < pivot) low += 1;
      while (values[high]! > pivot) high -= 1;
      if (low <= high) {
        const swapped = values[low]!;
        values[low] = values[high]!;
        values[high] = swapped;
        low += 1;
        high -= 1;
      }
    }
    if (rank <= high) right = high;
    else if (rank >= low) left = low;
    else break;
  }
  return values[rank]!;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return quantileOf(Float64Array.from(values), 0.5);
}

/** Standard normal distribution function (Abramowitz–Stegun 7.1.26, error below 1.5e-7). */
function standardNormalCdf(value: number): number {
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return value < 0 ? 0.5 * (1 - erf) : 0.5 * (1 + erf);
}
