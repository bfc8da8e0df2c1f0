/**
 * Order statistics over the finite values of a series: what the forecasters use wherever an
 * outlier or a gap must not move an estimate.
 */

/** The q-quantile (0..1) of already sorted values, interpolated between neighbours; NaN when empty. */
export function sortedQuantile(sorted: ArrayLike<number>, quantile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(Math.max(quantile, 0), 1) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The finite values, sorted ascending (a typed array: numeric order without a comparator). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(collectFinite(values)).sort();
}

/**
 * Medians run thousands of times per forecast on a few dozen values each: they sort in one
 * scratch buffer, grown as needed, instead of allocating an array each time.
 */
let scratch = new Float64Array(1024);

function collectFinite(values: ArrayLike<number>): Float64Array {
  if (scratch.length < values.length) scratch = new Float64Array(Math.max(values.length, 2 * scratch.length));
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (Number.isFinite(value)) scratch[count++] = value;
  }
  return scratch.subarray(0, count);
}

export function finiteQuantile(values: ArrayLike<number>, quantile: number): number {
  return sortedQuantile(sortInPlace(collectFinite(values)), quantile);
}

/** Insertion sort for the few values a phase or a chunk holds (a native sort's call costs more there), the native sort beyond. */
function sortInPlace(values: Float64Array): Float64Array {
  if (values.length > 48) return values.sort();
  for (let index = 1; index < values.length; index += 1) {
    const value = values[index]!;
    let position = index - 1;
    while (position >= 0 && values[position]! > value) {
      values[position + 1] = values[position]!;
      position -= 1;
    }
    values[position + 1] = value;
  }
  return values;
}

export function finiteMedian(values: ArrayLike<number>): number {
  return finiteQuantile(values, 0.5);
}

/** 1.4826 × the median absolute deviation: the standard deviation a normal series with these values would have. */
export function robustSpread(values: ArrayLike<number>): number {
  const centre = finiteMedian(values);
  if (!Number.isFinite(centre)) return Number.NaN;
  const deviations = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1) deviations[index] = Math.abs(values[index]! - centre);
  return 1.4826 * finiteMedian(deviations);
}

export function finiteMean(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (Number.isFinite(value)) {
      sum += value;
      count += 1;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}
