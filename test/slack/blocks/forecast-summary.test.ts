import { describe, expect, it } from 'vitest';
import type { CapacityForecast } from '../../../src/investigation/capacity-forecast.js';
import { forecastSummaryText, forecastUnavailableText } from '../../../src/slack/blocks/forecast-summary.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0);
const HOUR = 3_600_000;

function result(plan: boolean): Extract<CapacityForecast, { status: 'ok' }> {
  const forecast = Array.from({ length: 288 }, (_, index) => ({ timestamp: NOW + (index + 1) * 300_000, value: 1 + index / 288, lower: 0.8, upper: 1.2 + index / 288 }));
  return {
    status: 'ok', service: 'order-service', signal: 'cpu', horizonHours: 24, stepSeconds: 300, generatedAt: NOW,
    history: Array.from({ length: 14 * 288 }, (_, index) => ({ timestamp: NOW - index * 300_000, value: 1 })),
    forecast, model: 'seasonal decomposition (daily; today\'s deviation ignored)', seasons: [], backtest: { origins: 7, meanAbsoluteError: 0.05, seasonalNaiveError: 0.08 }, current: 0.9, peak: { value: 2.2, at: NOW + 24 * HOUR },
    ...(plan
      ? { plan: { peakDemand: 2.2, peakAt: NOW + 24 * HOUR, averageDemand: 1.5, limit: 1.5, headroom: 0.6, headroomShare: 0.4, neededReplicas: 7, recommendedReplicas: 7, clampedByAutoscaler: false, limitReachedAt: NOW + 12 * HOUR, limitPossiblyReachedAt: NOW + 5 * HOUR, perPodCapacity: 0.5, perPodDescription: '0.5 cores CPU request a pod', targetUtilisation: 0.7, currentReplicas: 3 } }
      : { noPlan: 'latency_p95 has no per-pod capacity, so no replica count follows from it; forecast cpu or request_rate for that.' }),
  };
}

describe('the forecast summary', () => {
  it('says the peak, the replicas against now, when the limit is reached, the model and its error, and the formula', () => {
    expect(forecastSummaryText(result(true)).split('\n')).toEqual([
      '*order-service cpu, next 24 h* (CPU in use, cores summed over pods; from 14 days of 5-minute history)',
      '• Peak 2.2 cores (95% bound) around Dec 06 12:00 UTC; average 1.5 cores; now 0.9 cores',
      '• Replicas: 3 now, scale up to *7*, planning for 70% of 0.5 cores CPU request a pod',
      '• Limit 1.5 cores (3 pods): headroom now 0.6 cores (40%); expected to reach it around Dec 06 00:00 UTC',
      "• Model: seasonal decomposition (daily; today's deviation ignored); its error on this series' last 7 backtest origins: MAE 0.05 cores (seasonal naive: 0.08 cores)",
      '_replicas = ⌈peak of the 95% upper bound ÷ (per-pod capacity × target utilisation)⌉; limit = per-pod capacity × replicas._',
    ]);
  });

  it('says why there is no replica count, and why there is no chart for a short history', () => {
    expect(forecastSummaryText(result(false))).toContain('• No replica count: latency_p95 has no per-pod capacity');
    expect(forecastUnavailableText({ status: 'too-short', service: 'cart', signal: 'cpu', horizonHours: 24, historyHours: 5, neededHours: 25 })).toBe(
      'cart has 5.0 h of cpu history; a 24 h forecast needs at least 25 h, so I will not draw one that would only look sure. Try a shorter horizon, or ask again later.',
    );
  });
});
