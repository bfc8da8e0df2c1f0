import { describe, expect, it } from 'vitest';
import { forecastPrediction } from '../../src/detection/forecast-prediction.js';
import type { ForecastDigest } from '../../src/forecast/forecast-digest.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0);
const HOUR = 3_600_000;
const MEBIBYTE = 1024 * 1024;

function digest(changes: Partial<ForecastDigest> = {}): ForecastDigest {
  return { service: 'cart', signal: 'memory', generatedAt: NOW - 10 * 60_000, horizonHours: 168, model: 'seasonal decomposition (daily)', backtestError: 1, current: 1000 * MEBIBYTE, peak: 1700 * MEBIBYTE, peakAt: NOW + 9 * HOUR, average: 1100 * MEBIBYTE, limit: 1536 * MEBIBYTE, currentReplicas: 3, recommendedReplicas: 5, limitReachedAt: NOW + 8 * HOUR, hourly: [], ...changes };
}

describe('forecastPrediction', () => {
  it('raises a memory limit the point forecast reaches within a day, as the trend predictions are raised', () => {
    expect(forecastPrediction(digest(), NOW)).toMatchObject({
      id: `cart:predictive:memory:info:${Math.floor(NOW / HOUR)}`,
      kind: 'predictive',
      service: 'cart',
      signals: ['memory'],
      severity: 'info',
      summary: 'cart memory reaches its limit (1.5 GiB) in about 8 h on the week-ahead forecast (seasonal decomposition (daily))',
    });
    expect(forecastPrediction(digest({ limitReachedAt: NOW + 90 * 60_000 }), NOW)?.severity).toBe('warning');
  });

  it('stays quiet when only the bound reaches it, beyond a day, on a stale forecast, for CPU, or when already over', () => {
    expect(forecastPrediction(digest({ limitReachedAt: undefined, limitPossiblyReachedAt: NOW + HOUR }), NOW)).toBeUndefined();
    expect(forecastPrediction(digest({ limitReachedAt: NOW + 30 * HOUR }), NOW)).toBeUndefined();
    expect(forecastPrediction(digest({ generatedAt: NOW - 3 * HOUR }), NOW)).toBeUndefined();
    expect(forecastPrediction(digest({ signal: 'cpu' }), NOW)).toBeUndefined();
    expect(forecastPrediction(digest({ current: 1600 * MEBIBYTE }), NOW)).toBeUndefined();
    expect(forecastPrediction(undefined, NOW)).toBeUndefined();
  });
});
