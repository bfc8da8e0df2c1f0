import { sortedQuantile } from './robust-statistics.js';

/**
 * Prediction bounds from backtest errors (actual − forecast), grouped by how far ahead they were:
 * steps 1, 2, 3–4, 5–6, 7–8, 9–12, … (groups about √2 wider each time, merged until each holds
 * enough errors to read a 95th percentile from). The bounds never narrow as the horizon grows: a
 * later step inherits the widest error of any earlier one.
 */

export interface PredictionBounds {
  /** 5th percentile: 95% of actual values are expected above it. */
  lower: number[];
  /** 95th percentile: what to provision for. */
  upper: number[];
}

const UPPER_QUANTILE = 0.95;
const LOWER_QUANTILE = 0.05;
/** Fewest errors a group reads its percentiles from. */
const MINIMUM_GROUP_ERRORS = 40;

export function predictionBounds(point: ArrayLike<number>, errorsByOrigin: readonly Float64Array[], history: ArrayLike<number>): PredictionBounds {
  const horizon = point.length;
  const upperOffset = new Float64Array(horizon);
  const lowerOffset = new Float64Array(horizon);
  const groups = stepGroups(horizon);
  let pending: number[] = [];
  let pendingSteps: number[] = [];
  const fallback = fallbackSpread(history);
  const assign = (steps: number[], errors: number[]) => {
    const sorted = Float64Array.from(errors).sort();
    const high = errors.length > 0 ? sortedQuantile(sorted, UPPER_QUANTILE) : 1.645 * fallback;
    const low = errors.length > 0 ? sortedQuantile(sorted, LOWER_QUANTILE) : -1.645 * fallback;
    for (const step of steps) {
      upperOffset[step] = high;
      lowerOffset[step] = low;
    }
  };
  for (const [index, group] of groups.entries()) {
    for (let step = group.from; step < group.to; step += 1) {
      pendingSteps.push(step);
      for (const errors of errorsByOrigin) {
        const error = errors[step]!;
        if (Number.isFinite(error)) pending.push(error);
      }
    }
    const lastGroup = index === groups.length - 1;
    if (pending.length >= MINIMUM_GROUP_ERRORS || lastGroup) {
      // The last group reads what it has; the running maximum below keeps it no narrower than the groups before.
      assign(pendingSteps, pending);
      pending = [];
      pendingSteps = [];
    }
  }
  const lower: number[] = [];
  const upper: number[] = [];
  let widestAbove = 0;
  let widestBelow = 0;
  for (let step = 0; step < horizon; step += 1) {
    widestAbove = Math.max(widestAbove, upperOffset[step]!);
    widestBelow = Math.min(widestBelow, lowerOffset[step]!);
    upper.push(point[step]! + widestAbove);
    lower.push(point[step]! + widestBelow);
  }
  return { lower, upper };
}

/** Step groups [from, to) of about √2 growth: 0, 1, 2–3, 4–5, 6–7, 8–11, 12–15, … (0-based steps). */
function stepGroups(horizon: number): Array<{ from: number; to: number }> {
  const groups: Array<{ from: number; to: number }> = [];
  let from = 0;
  while (from < horizon) {
    const to = Math.min(horizon, Math.max(from + 1, Math.round(from * Math.SQRT2)));
    groups.push({ from, to });
    from = to;
  }
  return groups;
}

/** With no backtest errors at all: the typical step-to-step change of the history. */
function fallbackSpread(history: ArrayLike<number>): number {
  const changes: number[] = [];
  for (let index = 1; index < history.length; index += 1) {
    const change = history[index]! - history[index - 1]!;
    if (Number.isFinite(change)) changes.push(Math.abs(change));
  }
  return changes.length > 0 ? sortedQuantile(Float64Array.from(changes).sort(), 0.5) * 1.4826 : 0;
}
