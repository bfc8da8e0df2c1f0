import { median } from '../../detection/median.js';
import type { Sample } from '../../signals.js';

export interface SeriesStatistics {
  count: number;
  minimum: number;
  median: number;
  maximum: number;
  last: number;
  lastAt: number;
}

/** What a model needs of a series instead of its points; undefined when it has no finite value. */
export function seriesStatistics(samples: readonly Sample[]): SeriesStatistics | undefined {
  const finite = samples.filter((sample) => Number.isFinite(sample.value));
  const last = finite[finite.length - 1];
  if (!last) return undefined;
  const values = finite.map((sample) => sample.value);
  return { count: values.length, minimum: Math.min(...values), median: median(values)!, maximum: Math.max(...values), last: last.value, lastAt: last.timestamp };
}

/** "x12.5", "x0.40", or "about the same": how the window compares with a reference level. */
export function formatRatio(value: number, reference: number): string {
  if (reference === 0) return value === 0 ? 'the same (both 0)' : 'up from 0';
  const ratio = value / reference;
  if (ratio > 0.9 && ratio < 1.1) return `about the same (x${ratio.toFixed(2)})`;
  return `x${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}`;
}
