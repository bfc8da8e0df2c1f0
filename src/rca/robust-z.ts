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
