import { describe, expect, it } from 'vitest';
import { sinceDeploy, weekOverWeek, type Trend } from '../../../src/forecast/trends.js';
import type { ServiceTrends } from '../../../src/investigation/service-trends.js';
import { trendsMessage } from '../../../src/slack/blocks/trends-message.js';
import { checkBlocks, checkFallback, expectNoInjection, visibleText } from './block-checks.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 25, 1, 0, 0);
const MEBIBYTE = 2 ** 20;

function trend(partial: Partial<Trend> & Pick<Trend, 'service' | 'signal' | 'before' | 'after'>): Trend {
  return {
    comparison: weekOverWeek(NOW),
    relativeChange: (partial.after - partial.before) / partial.before,
    effectSize: 10,
    rising: partial.after > partial.before,
    direction: partial.after > partial.before ? 'worse' : 'better',
    sustainedHours: 23,
    comparedHours: 24,
    ...partial,
  };
}

function result(partial: Partial<ServiceTrends>): ServiceTrends {
  return {
    generatedAt: NOW,
    services: ['cart', 'checkout'],
    trends: [],
    found: 0,
    compared: [
      { service: 'cart', comparison: weekOverWeek(NOW), signals: ['memory'] },
      { service: 'checkout', comparison: weekOverWeek(NOW), signals: ['memory'] },
    ],
    skipped: [],
    deploys: [],
    problems: [],
    ...partial,
  };
}

describe('trendsMessage', () => {
  it('writes one line per trend, largest first, with the values in their units and how sustained', () => {
    const deployedAt = NOW - 6 * HOUR;
    const message = trendsMessage(
      result({
        trends: [
          trend({ service: 'cart', signal: 'memory', before: 412 * MEBIBYTE, after: 569 * MEBIBYTE }),
          trend({ service: 'checkout', signal: 'error_rate', before: 0.001, after: 0.05, comparison: sinceDeploy(deployedAt, NOW), sustainedHours: 6, comparedHours: 6 }),
          trend({ service: 'checkout', signal: 'request_rate', before: 100, after: 80, direction: 'traffic' }),
        ],
        found: 5,
        deploys: [{ service: 'checkout', revision: 4, version: '2.5.0', at: deployedAt }],
      }),
    );
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const visible = visibleText(message.blocks);
    expect(visible).toContain('🔴 cart memory +38% week over week (412 MiB → 569 MiB, sustained 23/24 h)');
    expect(visible).toContain('🔴 checkout error_rate ×50 since deploy of 2.5.0 (0.1% → 5%, sustained 6/6 h)');
    expect(visible).toContain('🔵 checkout request_rate −20% week over week (100 req/s → 80 req/s, sustained 23/24 h)');
    expect(visible).toContain('… and 2 smaller ones not shown');
    expect(visible).toMatch(/Newest rollouts: checkout 2\.5\.0 <!date\^\d+\^/);
    expect(message.text.split('\n').slice(0, 2)).toEqual(['Sustained changes in 2 services:', 'cart memory +38% week over week (412 MiB → 569 MiB, sustained 23/24 h)']);
  });

  it('says that nothing changed, and over which windows, when nothing did', () => {
    const message = trendsMessage(
      result({
        compared: [
          { service: 'cart', comparison: weekOverWeek(NOW), signals: ['memory'] },
          { service: 'checkout', comparison: { kind: 'day-over-day', after: { start: NOW - 6 * HOUR, end: NOW }, before: { start: NOW - 30 * HOUR, end: NOW - 24 * HOUR } }, signals: ['memory'] },
        ],
        skipped: [{ service: 'cart', kind: 'since-deploy', signals: ['cpu', 'memory', 'request_rate', 'error_rate', 'latency_p95', 'restarts'], reason: 'deployed less than 3 h ago' }],
        problems: [{ service: 'payment', problem: 'metrics could not be read: connect ECONNREFUSED' }],
      }),
      { service: undefined },
    );
    checkBlocks(message.blocks, 50);
    const visible = visibleText(message.blocks);
    expect(visible).toContain(
      'No sustained change in 2 services: compared week over week (the last 24 h against the same hours a week earlier) for cart, and day over day (the last 6 h against the same hours the day before) for checkout.',
    );
    expect(visible).toContain('Not compared since deploy (deployed less than 3 h ago): cart');
    expect(visible).toContain('⚠️ payment: metrics could not be read: connect ECONNREFUSED');
    expect(message.text).toContain('No sustained change in 2 services');
  });

  it('escapes what it did not write, and stays within Slack\'s limits with many problems', () => {
    const message = trendsMessage(
      result({
        problems: Array.from({ length: 80 }, (_, index) => ({ service: `svc-${index}`, problem: `<!channel> failed ${'x'.repeat(100)}` })),
      }),
      { service: 'cart' },
    );
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
  });
});
