import type { Signal } from '../signals.js';

/**
 * What the hourly forecast jobs keep of a forecast: enough for App Home, the agent's
 * forecast_capacity tool and the digest, at an hourly resolution (a week is 168 points, not 2,016).
 */
export interface ForecastDigest {
  service: string;
  signal: Signal;
  generatedAt: number;
  horizonHours: number;
  model: string;
  backtestError: number;
  seasonalNaiveError?: number;
  current: number;
  peak: number;
  peakAt: number;
  average: number;
  /** Capacity today (per-pod capacity × replicas), when the signal has one. */
  limit?: number;
  currentReplicas?: number;
  recommendedReplicas?: number;
  /** When the point forecast, and when the 95% bound, first reach the limit. */
  limitReachedAt?: number;
  limitPossiblyReachedAt?: number;
  /** Hourly maxima of the point forecast and the bound. */
  hourly: Array<{ timestamp: number; value: number; upper: number }>;
}

/** Hourly maxima of a finer forecast: a peak inside the hour is kept, not averaged away. */
export function hourlyMaxima(points: ReadonlyArray<{ timestamp: number; value: number; upper: number }>): ForecastDigest['hourly'] {
  const hours = new Map<number, { timestamp: number; value: number; upper: number }>();
  for (const point of points) {
    const hour = Math.ceil(point.timestamp / 3_600_000) * 3_600_000;
    const seen = hours.get(hour);
    hours.set(hour, seen ? { timestamp: hour, value: Math.max(seen.value, point.value), upper: Math.max(seen.upper, point.upper) } : { timestamp: hour, value: point.value, upper: point.upper });
  }
  return [...hours.values()].sort((left, right) => left.timestamp - right.timestamp);
}

/** When the forecast first reaches the limit: the point forecast's crossing, or failing that the 95% bound's. */
export function limitCrossing(digest: ForecastDigest): number | undefined {
  return digest.limitReachedAt ?? digest.limitPossiblyReachedAt;
}

/** Forecasts that reach their limit within `withinMilliseconds` of `now`, soonest first. */
export function capacityWarnings(digests: readonly ForecastDigest[], now: number, withinMilliseconds: number): ForecastDigest[] {
  return digests
    .filter((digest) => {
      const crossing = limitCrossing(digest);
      return crossing !== undefined && crossing <= now + withinMilliseconds;
    })
    .sort((left, right) => limitCrossing(left)! - limitCrossing(right)!);
}
