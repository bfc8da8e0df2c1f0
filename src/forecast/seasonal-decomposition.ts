import { finiteMedian, robustSpread } from './robust-statistics.js';

/**
 * A robust seasonal decomposition in the spirit of MSTL (Bandara, Hyndman & Bergmeir 2021):
 * value = trend + one profile per season (daily, then weekly) + remainder, with two changes that
 * suit operational metrics. Each season's profile is the per-phase median over its last few
 * cycles (not a loess fit), so one bad day or an incident stretch does not bend it; and points
 * far from trend + season (beyond `outlierSpreads` robust spreads) are replaced by trend + season
 * in what the forecaster reads, so a spike moves neither the level nor tomorrow's profile.
 */

export interface DecompositionOptions {
  /** Season lengths in steps, shortest first (e.g. [288, 2016] for daily and weekly at 5 minutes); [] for none. */
  periods: readonly number[];
  /** The step index of values[0] on an absolute grid, so that a phase is a time of day (default 0). */
  phaseOffset?: number;
  /** Cycles each profile is the median of, per period (default 6 for the first, 4 for the rest). */
  cycles?: readonly number[];
  /** Points further than this many robust spreads from trend + season are outliers (default 4). */
  outlierSpreads?: number;
}

export interface Decomposition {
  periods: readonly number[];
  /** Centred profiles, one per period, indexed by phase. */
  profiles: Float64Array[];
  /** The values with outliers replaced and the seasons removed; NaN where the input had a gap. */
  deseasonalised: Float64Array;
  /** Share of the detrended variance each season explains (Wang, Smith & Hyndman's strength), per period; computed when asked. */
  strengths(): number[];
  outliers: number;
  /** The summed seasons at step `index` (any index, past or future, on the same grid as the values). */
  seasonAt(index: number): number;
}

export function decompose(values: ArrayLike<number>, options: DecompositionOptions): Decomposition {
  const periods = options.periods.filter((period) => period >= 2 && values.length >= 2 * period);
  const phaseOffset = options.phaseOffset ?? 0;
  const cycles = periods.map((_, index) => options.cycles?.[index] ?? (index === 0 ? 6 : 4));
  const outlierSpreads = options.outlierSpreads ?? 4;
  const trendWindow = periods[0] ?? Math.max(3, Math.min(values.length, 25));

  // One pass: its profiles are medians and its trend a running median, so the outliers it finds
  // have not moved it, and a second pass over the cleaned values would change next to nothing.
  const final = passOver(Float64Array.from(values), periods, cycles, phaseOffset, trendWindow);
  const flagged = outliersOf(values, final, outlierSpreads);
  const cleaned = Float64Array.from(values);
  for (const index of flagged) cleaned[index] = final.trend[index]! + final.seasonal[index]!;
  const outliers = flagged.length;
  const deseasonalised = new Float64Array(cleaned.length);
  for (let index = 0; index < cleaned.length; index += 1) deseasonalised[index] = cleaned[index]! - final.seasonal[index]!;
  return {
    periods,
    profiles: final.profiles,
    deseasonalised,
    strengths: () => strengthsOf(cleaned, final, periods, phaseOffset),
    outliers,
    seasonAt: final.season,
  };
}

interface Pass {
  trend: Float64Array;
  profiles: Float64Array[];
  season: (index: number) => number;
  /** The summed seasons at every index of the values: the hot loops read this, not `season`. */
  seasonal: Float64Array;
}

function seasonalOver(length: number, profiles: readonly Float64Array[], periods: readonly number[], phaseOffset: number): Float64Array {
  const seasonal = new Float64Array(length);
  periods.forEach((period, which) => {
    const profile = profiles[which]!;
    let phase = phaseOf(0, period, phaseOffset);
    for (let index = 0; index < length; index += 1) {
      seasonal[index]! += profile[phase]!;
      phase = phase + 1 === period ? 0 : phase + 1;
    }
  });
  return seasonal;
}

/**
 * One pass: a first trend (the moving mean), the profiles from what it leaves, then the trend again
 * as a running median of the deseasonalised series (robust where a burst would drag a mean, and
 * at the ends, where a mean holds part of a cycle), then the profiles again from that trend.
 */
function passOver(values: Float64Array, periods: readonly number[], cycles: readonly number[], phaseOffset: number, trendWindow: number): Pass {
  const length = values.length;
  const profiles: Float64Array[] = periods.map((period) => new Float64Array(period));
  const season = (index: number) => {
    let sum = 0;
    for (let which = 0; which < periods.length; which += 1) sum += profiles[which]![phaseOf(index, periods[which]!, phaseOffset)]!;
    return sum;
  };
  const detrended = new Float64Array(length);
  // With two seasons, what the other one adds at each step: each profile is read without it.
  const other = periods.length > 1 ? new Float64Array(length) : undefined;
  const readProfiles = (trend: Float64Array, rounds: number) => {
    for (let index = 0; index < length; index += 1) detrended[index] = values[index]! - trend[index]!;
    for (let round = 0; round < rounds; round += 1) {
      periods.forEach((period, which) => {
        if (other) {
          const otherWhich = 1 - which;
          const otherProfile = profiles[otherWhich]!;
          const otherPeriod = periods[otherWhich]!;
          let phase = phaseOf(0, otherPeriod, phaseOffset);
          for (let index = 0; index < length; index += 1) {
            other[index] = otherProfile[phase]!;
            phase = phase + 1 === otherPeriod ? 0 : phase + 1;
          }
        }
        profiles[which] = phaseProfile(detrended, period, cycles[which]!, phaseOffset, other);
      });
    }
  };
  // A first look, from the moving mean; then, from the robust trend, two rounds with two seasons, as
  // MSTL iterates: a weekly profile is read once the daily one is out, then the daily one again without the weekly.
  readProfiles(movingMean(values, trendWindow), 1);
  const firstSeasonal = seasonalOver(length, profiles, periods, phaseOffset);
  const deseasonalised = new Float64Array(length);
  for (let index = 0; index < length; index += 1) deseasonalised[index] = values[index]! - firstSeasonal[index]!;
  const trend = runningMedian(deseasonalised, trendWindow);
  if (periods.length > 0) readProfiles(trend, periods.length > 1 ? 2 : 1);
  return { trend, profiles, season, seasonal: periods.length > 0 ? seasonalOver(length, profiles, periods, phaseOffset) : firstSeasonal };
}

/**
 * A centred running median over `window` steps, read from the medians of chunks of about a 24th
 * of the window (cheap at any window), joined linearly between chunk centres; near the ends the
 * nearest full window is used.
 */
export function runningMedian(values: ArrayLike<number>, window: number): Float64Array {
  const length = values.length;
  const chunk = Math.max(1, Math.floor(window / 24));
  const chunkCount = Math.ceil(length / chunk);
  const chunkMedians = new Float64Array(chunkCount);
  for (let which = 0; which < chunkCount; which += 1) {
    chunkMedians[which] = chunk === 1 ? values[which]! : finiteMedian(sliceOf(values, which * chunk, Math.min(length, (which + 1) * chunk)));
  }
  const perWindow = Math.min(chunkCount, Math.max(1, Math.round(window / chunk)));
  const smoothed = new Float64Array(chunkCount);
  let last = Number.NaN;
  for (let which = 0; which < chunkCount; which += 1) {
    const from = Math.min(Math.max(0, which - Math.floor(perWindow / 2)), chunkCount - perWindow);
    const median = finiteMedian(chunkMedians.subarray(from, from + perWindow));
    smoothed[which] = Number.isFinite(median) ? median : last;
    last = smoothed[which]!;
  }
  const trend = new Float64Array(length);
  for (let index = 0; index < length; index += 1) {
    const position = (index - (chunk - 1) / 2) / chunk;
    const below = Math.min(chunkCount - 1, Math.max(0, Math.floor(position)));
    const above = Math.min(chunkCount - 1, below + 1);
    const weight = Math.min(1, Math.max(0, position - below));
    trend[index] = smoothed[below]! + (smoothed[above]! - smoothed[below]!) * weight;
  }
  return trend;
}

/**
 * Per-phase medians of the last `cycles` cycles, lightly smoothed across neighbouring phases (a
 * 5-minute profile is noisy where an hour's shape is not), and centred so that the season adds
 * nothing on average.
 */
function phaseProfile(detrended: Float64Array, period: number, cycles: number, phaseOffset: number, other: Float64Array | undefined): Float64Array {
  const length = detrended.length;
  const start = Math.max(0, length - cycles * period);
  const raw = new Float64Array(period);
  const column: number[] = [];
  for (let phase = 0; phase < period; phase += 1) {
    column.length = 0;
    // The first index at or after `start` with this phase.
    let index = start + ((phase - phaseOf(start, period, phaseOffset) + period) % period);
    for (; index < length; index += period) {
      const value = detrended[index]!;
      if (Number.isFinite(value)) column.push(other ? value - other[index]! : value);
    }
    raw[phase] = column.length > 0 ? finiteMedian(column) : Number.NaN;
  }
  const halfWidth = Math.floor(period / 144);
  const smooth = new Float64Array(period);
  let total = 0;
  let counted = 0;
  for (let phase = 0; phase < period; phase += 1) {
    let sum = 0;
    let count = 0;
    for (let offset = -halfWidth; offset <= halfWidth; offset += 1) {
      const value = raw[(phase + offset + period) % period]!;
      if (Number.isFinite(value)) {
        sum += value;
        count += 1;
      }
    }
    smooth[phase] = count > 0 ? sum / count : 0;
    total += smooth[phase]!;
    counted += 1;
  }
  const mean = total / counted;
  for (let phase = 0; phase < period; phase += 1) smooth[phase]! -= mean;
  return smooth;
}

export function phaseOf(index: number, period: number, phaseOffset: number): number {
  return (((index + phaseOffset) % period) + period) % period;
}

/**
 * A centred moving mean over `window` steps that skips gaps; near the ends, where a centred
 * window would hold part of a cycle only (and so part of the season), it holds the nearest full
 * window's mean instead.
 */
export function movingMean(values: ArrayLike<number>, window: number): Float64Array {
  const length = values.length;
  const sums = new Float64Array(length + 1);
  const counts = new Float64Array(length + 1);
  for (let index = 0; index < length; index += 1) {
    const value = values[index]!;
    const finite = Number.isFinite(value);
    sums[index + 1] = sums[index]! + (finite ? value : 0);
    counts[index + 1] = counts[index]! + (finite ? 1 : 0);
  }
  const width = Math.min(window, length);
  const before = Math.floor(width / 2);
  const trend = new Float64Array(length);
  let last = Number.NaN;
  for (let index = 0; index < length; index += 1) {
    const from = Math.min(Math.max(0, index - before), length - width);
    const to = from + width;
    const count = counts[to]! - counts[from]!;
    const mean = count > 0 ? (sums[to]! - sums[from]!) / count : last;
    trend[index] = mean;
    last = mean;
  }
  return trend;
}

/** Indices further than `spreads` robust spreads from the pass's trend + season. */
function outliersOf(values: ArrayLike<number>, pass: Pass, spreads: number): number[] {
  const outliers: number[] = [];
  if (!Number.isFinite(spreads)) return outliers;
  const remainder = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1) remainder[index] = values[index]! - pass.trend[index]! - pass.seasonal[index]!;
  const spread = robustSpread(remainder);
  if (!(spread > 0)) return outliers;
  for (let index = 0; index < remainder.length; index += 1) if (Math.abs(remainder[index]!) > spreads * spread) outliers.push(index);
  return outliers;
}

/** 1 − var(remainder) / var(remainder + season), per season, over the finite points (0 when the season explains nothing). */
function strengthsOf(values: Float64Array, pass: Pass, periods: readonly number[], phaseOffset: number): number[] {
  return periods.map((period, which) => {
    const remainder: number[] = [];
    const withSeason: number[] = [];
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index]!;
      if (!Number.isFinite(value)) continue;
      const rest = value - pass.trend[index]! - pass.seasonal[index]!;
      remainder.push(rest);
      withSeason.push(rest + pass.profiles[which]![phaseOf(index, period, phaseOffset)]!);
    }
    const total = variance(withSeason);
    return total > 0 ? Math.max(0, 1 - variance(remainder) / total) : 0;
  });
}

function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
}

function sliceOf(values: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return values instanceof Float64Array ? values.subarray(from, to) : Array.prototype.slice.call(values, from, to);
}
