import type { LogLevel } from './log-entry.js';
import { median } from '../detection/median.js';

/** How many lines of each mined template one service wrote in one time bucket. */
export interface TemplateCounts {
  /** Start of the bucket, milliseconds since the Unix epoch. */
  bucketStart: number;
  /** Lines per template id; a template absent from the bucket is absent here (count 0). */
  counts: Record<string, number>;
}

/** What is remembered about a template besides its counts. */
export interface TemplateDetails {
  /** The template's current text, e.g. `Charge <*> declined by issuer`. */
  template: string;
  /** The most severe level any of its lines had. */
  level: LogLevel;
  /** The latest line that matched it. */
  example: string;
  /** Start of the bucket it first appeared in. */
  firstSeen: number;
}

/** A template's usual count per bucket, and how much it usually varies. */
export interface CountBaseline {
  /** Median count per bucket over the baseline buckets (absent buckets count as 0). */
  median: number;
  /** Robust standard deviation: 1.4826 × the median absolute deviation (equals σ for normal data). */
  spread: number;
  /** Baseline buckets it was computed from. */
  buckets: number;
}

/** Scales a median absolute deviation to a standard deviation under normality. */
const MAD_TO_SIGMA = 1.4826;

export function countBaseline(templateId: string, buckets: readonly TemplateCounts[]): CountBaseline {
  const counts = buckets.map((bucket) => bucket.counts[templateId] ?? 0);
  const middle = median(counts) ?? 0;
  const spread = MAD_TO_SIGMA * (median(counts.map((count) => Math.abs(count - middle))) ?? 0);
  return { median: middle, spread, buckets: counts.length };
}

/** Lines per template summed over buckets. */
export function totalCounts(buckets: readonly TemplateCounts[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const bucket of buckets) {
    for (const [templateId, count] of Object.entries(bucket.counts)) totals.set(templateId, (totals.get(templateId) ?? 0) + count);
  }
  return totals;
}
