import { describe, expect, it } from 'vitest';
import type { ForecastDigest } from '../../../src/forecast/forecast-digest.js';
import { capacityMessage } from '../../../src/slack/blocks/capacity-message.js';

const NOW = Date.UTC(2026, 11, 4, 15, 0);
const HOUR = 3_600_000;

function digest(service: string, reachedInHours: number): ForecastDigest {
  return {
    service, signal: 'memory', generatedAt: NOW, horizonHours: 168, model: 'seasonal decomposition', backtestError: 1, current: 400, peak: 520, peakAt: NOW + reachedInHours * HOUR, average: 450,
    limit: 512, currentReplicas: 2, recommendedReplicas: 3, limitReachedAt: NOW + reachedInHours * HOUR, hourly: [],
  };
}

describe('capacityMessage', () => {
  it('lists the warnings soonest first as given, each with the replicas it needs and the command for its chart', () => {
    const message = capacityMessage([digest('cart', 5), digest('payment', 30)], 30, NOW);
    expect(message.text.split('\n')[0]).toBe('Capacity within a week (2)');
    const json = JSON.stringify(message.blocks);
    expect(json.indexOf('cart')).toBeLessThan(json.indexOf('payment'));
    expect(json).toContain('3 replicas needed, 2 now');
    expect(json).toContain('/aiops forecast cart memory');
    expect(json).toContain('Of 30 forecasts');
  });

  it('says when no forecast reaches a limit, and when there are no forecasts yet', () => {
    expect(capacityMessage([], 30, NOW).text).toBe('No forecast reaches a limit within a week (30 forecasts of CPU, memory and traffic).');
    expect(capacityMessage([], 0, NOW).text).toMatch(/^No forecasts yet: the workers forecast every service every hour/);
  });
});
