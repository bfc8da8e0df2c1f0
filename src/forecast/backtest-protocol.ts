/**
 * The rolling-origin backtest of shared/datasets/forecast/README.md: a week of warm-up, then one
 * origin a day; at each, forecasts one hour and one day ahead from the rows up to the origin only.
 */

export interface BacktestPlan {
  stepSeconds: number;
  stepsPerDay: number;
  warmUpSteps: number;
  /** Horizons in steps: one hour and one day. */
  horizons: number[];
  /** Origins (row indices) per horizon, in order. */
  origins: Map<number, number[]>;
}

/** The nominal step: the median spacing of the timestamps, in seconds (repeated hours and gaps do not move it). */
export function nominalStepSeconds(timestamps: readonly number[]): number {
  const spacings: number[] = [];
  for (let index = 1; index < timestamps.length; index += 1) spacings.push(timestamps[index]! - timestamps[index - 1]!);
  spacings.sort((left, right) => left - right);
  const middle = spacings[Math.floor(spacings.length / 2)];
  return middle === undefined || middle <= 0 ? Number.NaN : middle / 1000;
}

export function backtestPlan(rows: number, stepSeconds: number): BacktestPlan {
  const stepsPerDay = Math.round(86_400 / stepSeconds);
  const warmUpSteps = 7 * stepsPerDay;
  const horizons = [Math.max(1, Math.round(3600 / stepSeconds)), stepsPerDay];
  const origins = new Map<number, number[]>();
  for (const horizon of horizons) {
    const list: number[] = [];
    for (let origin = warmUpSteps - 1; origin + horizon <= rows - 1; origin += stepsPerDay) list.push(origin);
    origins.set(horizon, list);
  }
  return { stepSeconds, stepsPerDay, warmUpSteps, horizons, origins };
}
