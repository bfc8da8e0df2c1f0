/**
 * Robust location and scale (median and MAD) and the robust z-score built on them. The median and
 * MAD ignore the outliers a mean and a standard deviation would chase, so one spike in the normal
 * period does not hide the incident.
 */

/** 1.4826 × MAD estimates the standard deviation of normally distributed data. */
const MAD_TO_SIGMA = 1.4826;

export interface RobustBaseline {
  /** The median of the finite samples; NaN when there are none. */
  median: number;
  /** 1.4826 × MAD, raised to the floor so a flat period never divides by zero. */
  scale: number;
}

export interface ScaleFloor {
  /** The scale is at least this fraction of |median| (a flat series at 200 MB still has a sensible unit). */
  relative: number;
  /** And at least this, for series that sit at zero. */
  absolute: number;
}

/** The finite values only: NaN marks a missing sample and is skipped everywhere. */
export function finiteValues(values: readonly number[]): number[] {
  return values.filter((value) => Number.isFinite(value));
}

/** The q-quantile (0..1) by linear interpolation; NaN for no values. Does not modify its input. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function robustBaseline(values: readonly number[], floor: ScaleFloor): RobustBaseline {
  const finite = finiteValues(values);
  const center = median(finite);
  if (Number.isNaN(center)) return { median: Number.NaN, scale: Number.NaN };
  const deviation = median(finite.map((value) => Math.abs(value - center)));
  const scale = Math.max(MAD_TO_SIGMA * deviation, floor.relative * Math.abs(center), floor.absolute);
  return { median: center, scale };
}

/** |value − median| / scale: how many robust standard deviations a sample lies from normal. */
export function robustZ(value: number, baseline: RobustBaseline): number {
  return Math.abs(value - baseline.median) / baseline.scale;
}

/** 1.2533 × the mean absolute deviation estimates the standard deviation of normally distributed data. */
const MEAN_DEVIATION_TO_SIGMA = 1.2533;

export interface ReferenceBaseline extends RobustBaseline {
  /**
   * True when the reference gave no spread of its own (it sat at one value, give or take float
   * noise) and the scale is the floor: a z-score then says only "it moved", not by how much.
   */
  floored: boolean;
}

/**
 * The baseline of a reference period for root-cause ranking. Like robustBaseline, but a series that
 * sits at one value most of the time (a histogram quantile stuck on a bucket bound, an error rate
 * at 0 with rare blips) has a MAD of 0 while its blips say how much it normally moves: the scale
 * then falls back to the mean absolute deviation, which counts them. Only a truly flat reference is
 * left at the floor, and says so.
 */
export function referenceBaseline(values: readonly number[], floor: ScaleFloor): ReferenceBaseline {
  const finite = finiteValues(values);
  const center = median(finite);
  if (Number.isNaN(center)) return { median: Number.NaN, scale: Number.NaN, floored: true };
  const deviations = finite.map((value) => Math.abs(value - center));
  const minimum = Math.max(floor.relative * Math.abs(center), floor.absolute);
  let spread = MAD_TO_SIGMA * median(deviations);
  if (spread < minimum) spread = MEAN_DEVIATION_TO_SIGMA * (deviations.reduce((sum, deviation) => sum + deviation, 0) / deviations.length);
  return spread < minimum ? { median: center, scale: minimum, floored: true } : { median: center, scale: spread, floored: false };
}

/** (value − median) / scale, signed: positive above normal, negative below. */
export function signedRobustZ(value: number, baseline: RobustBaseline): number {
  return (value - baseline.median) / baseline.scale;
}
