import type { Sample } from '../signals.js';

/**
 * Samples placed on a regular grid from `start` (ms) every `stepSeconds`, up to `end`: a sample
 * lands on its nearest step, several on one step are averaged, and a step with none is NaN (a
 * gap the forecaster skips). What a Prometheus range query returns is already such a grid, with
 * holes where scrapes failed.
 */
export function regularGrid(samples: readonly Sample[], start: number, end: number, stepSeconds: number): Float64Array {
  const step = stepSeconds * 1000;
  const length = Math.max(0, Math.floor((end - start) / step) + 1);
  const sums = new Float64Array(length);
  const counts = new Uint32Array(length);
  for (const sample of samples) {
    const index = Math.round((sample.timestamp - start) / step);
    if (index < 0 || index >= length || !Number.isFinite(sample.value)) continue;
    sums[index]! += sample.value;
    counts[index]! += 1;
  }
  const values = new Float64Array(length);
  for (let index = 0; index < length; index += 1) values[index] = counts[index]! > 0 ? sums[index]! / counts[index]! : Number.NaN;
  return values;
}
