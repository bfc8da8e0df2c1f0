import type { ForecastDigest } from '../forecast/forecast-digest.js';
import { formatQuantity } from '../format-quantity.js';
import type { Anomaly } from './anomaly.js';
import { formatTimeLeft, PREDICTIVE_ALERT_DEFAULTS } from './predictive-anomaly.js';

/** How far ahead a forecast's crossing is raised: beyond a day, App Home and the digest say it. */
export const FORECAST_ALERT_HORIZON_MILLISECONDS = 24 * 3_600_000;
/** An hourly forecast older than two hours speaks for nothing now (its job has stopped). */
const FRESH_MILLISECONDS = 2 * 3_600_000;

/**
 * A predictive anomaly from the hourly week-ahead memory forecast: its point forecast (not just its
 * bound) reaches the memory limit within a day. It adds what the 3-hour trend cannot see (a daily
 * peak tonight that the limit will not hold) and is raised only where the trend raised nothing;
 * made afresh on every detection pass while the forecast holds, it recovers when a new forecast no
 * longer says so. CPU is left out: its forecast is planned against the request, which is no limit.
 */
export function forecastPrediction(digest: ForecastDigest | undefined, now: number): Anomaly | undefined {
  if (!digest || digest.signal !== 'memory' || digest.limit === undefined || digest.limitReachedAt === undefined) return undefined;
  if (now - digest.generatedAt > FRESH_MILLISECONDS || digest.limitReachedAt <= now || digest.limitReachedAt - now > FORECAST_ALERT_HORIZON_MILLISECONDS) return undefined;
  // Already over it now is not a prediction: the detectors and the cluster's events report that.
  if (digest.current >= digest.limit) return undefined;
  const secondsLeft = (digest.limitReachedAt - now) / 1000;
  const severity = secondsLeft < PREDICTIVE_ALERT_DEFAULTS.criticalWithinSeconds ? 'critical' : secondsLeft < PREDICTIVE_ALERT_DEFAULTS.warningWithinSeconds ? 'warning' : 'info';
  return {
    // One id per signal, severity and hour, as the trend's predictions: their fingerprints match, so one follows the other.
    id: `${digest.service}:predictive:memory:${severity}:${Math.floor(now / 3_600_000)}`,
    kind: 'predictive',
    service: digest.service,
    signals: ['memory'],
    // The point forecast is the median path: reaching the limit on it is an even chance, not a certainty.
    score: 0.5,
    severity,
    detectedAt: now,
    evidence: { start: now - 86_400_000, end: now },
    summary: `${digest.service} memory reaches its limit (${formatQuantity(digest.limit, 'bytes')}) ${formatTimeLeft(secondsLeft)} on the week-ahead forecast (${digest.model})`,
  };
}
