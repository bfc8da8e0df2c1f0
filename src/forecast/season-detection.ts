import { decompose, type Decomposition } from './seasonal-decomposition.js';

export interface Season {
  name: 'daily' | 'weekly';
  /** Steps per cycle. */
  period: number;
  /** Share of the detrended variance the season explains, 0..1. */
  strength: number;
}

export interface SeasonDetectionOptions {
  stepsPerDay: number;
  phaseOffset?: number;
  /** Least strength that counts as a season (default 0.3). */
  minimumStrength?: number;
}

/** Cycles of history a season needs before it can be told from noise. */
const CYCLES_NEEDED = { daily: 3, weekly: 2 };
/** History read: enough for four weeks' profiles, and no more (detection runs on every forecast). */
const WEEKS_READ = 5;

/**
 * Which seasons a series has: daily when a day's profile explains at least `minimumStrength` of
 * what the trend leaves (and three days are there to show it), weekly when, with the daily
 * profile out, a week's profile explains that much of the rest (two weeks needed). Profiles are
 * smoothed over neighbouring phases, so that noise alone explains little of its own variance.
 */
export function detectSeasons(values: ArrayLike<number>, options: SeasonDetectionOptions): Season[] {
  return seasonsAndDecomposition(values, options).seasons;
}

/**
 * The seasons, and the decomposition of the last five weeks they were read from (with every
 * season the history affords, called or not), which the forecaster reuses to clean outliers.
 */
export function seasonsAndDecomposition(values: ArrayLike<number>, options: SeasonDetectionOptions): { seasons: Season[]; decomposition: Decomposition; start: number } {
  const day = options.stepsPerDay;
  const minimumStrength = options.minimumStrength ?? 0.3;
  const start = Math.max(0, values.length - WEEKS_READ * 7 * day);
  const recent = values instanceof Float64Array ? values.subarray(start) : Float64Array.from(Array.prototype.slice.call(values, start) as number[]);
  const phaseOffset = (options.phaseOffset ?? 0) + start;
  const periods = day < 4 || recent.length < CYCLES_NEEDED.daily * day ? [] : recent.length >= CYCLES_NEEDED.weekly * 7 * day ? [day, 7 * day] : [day];
  const decomposition = decompose(recent, { periods, phaseOffset });
  const strengths = periods.length > 0 ? decomposition.strengths() : [];
  const seasons: Season[] = [];
  if ((strengths[0] ?? 0) >= minimumStrength) seasons.push({ name: 'daily', period: day, strength: strengths[0]! });
  // A week's profile is read with the day's out; it stands alone where there is no daily season.
  if ((strengths[1] ?? 0) >= minimumStrength) seasons.push({ name: 'weekly', period: 7 * day, strength: strengths[1]! });
  return { seasons, decomposition, start };
}
