/**
 * Latency histograms as Prometheus keeps them, and `histogram_quantile` as Prometheus computes
 * it, so the simulated world reports exactly what a real Prometheus would report from the
 * buckets it exports.
 */

/** Bucket upper bounds in seconds (the +Inf bucket is implicit). */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10,
] as const;

export interface Bucket {
  upperBound: number;
  /** Cumulative count (or rate) of observations at or below upperBound. */
  count: number;
}

/**
 * Prometheus' bucketQuantile (promql/quantile.go, 2.x): linear interpolation inside the bucket
 * holding the rank; the +Inf bucket answers with the highest finite bound.
 */
export function histogramQuantile(quantile: number, buckets: Bucket[]): number {
  if (Number.isNaN(quantile)) return Number.NaN;
  if (quantile < 0) return Number.NEGATIVE_INFINITY;
  if (quantile > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...buckets].sort((left, right) => left.upperBound - right.upperBound);
  if (sorted.length < 2) return Number.NaN;
  const last = sorted[sorted.length - 1]!;
  if (last.upperBound !== Number.POSITIVE_INFINITY) return Number.NaN;
  for (let index = 1; index < sorted.length; index += 1) {
    // Rates of cumulative counters can dip by rounding; Prometheus forces them monotonic.
    if (sorted[index]!.count < sorted[index - 1]!.count) sorted[index] = { ...sorted[index]!, count: sorted[index - 1]!.count };
  }
  const observations = last.count;
  if (observations === 0) return Number.NaN;
  let rank = quantile * observations;
  const position = sorted.findIndex((bucket) => bucket.count >= rank);
  if (position === sorted.length - 1) return sorted[sorted.length - 2]!.upperBound;
  if (position === 0 && sorted[0]!.upperBound <= 0) return sorted[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = sorted[position]!.upperBound;
  let count = sorted[position]!.count;
  if (position > 0) {
    bucketStart = sorted[position - 1]!.upperBound;
    count -= sorted[position - 1]!.count;
    rank -= sorted[position - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}
