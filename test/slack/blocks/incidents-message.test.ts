import { describe, expect, it } from 'vitest';
import { incidentsMessage } from '../../../src/slack/blocks/incidents-message.js';
import { checkBlocks, checkFallback, expectNoInjection, textsOf, visibleText } from './block-checks.js';
import { MINUTE, NOW, anomaly, cartForecast, databaseLatency, manyAnomalies, orderLatency, paymentMemory } from './estate-fixtures.js';

describe('incidentsMessage', () => {
  it('says "No open incidents" when there are none', () => {
    const message = incidentsMessage([], { now: NOW });
    checkBlocks(message.blocks, 50);
    expect(visibleText(message.blocks)).toBe('✅ No open incidents.');
    expect(message.text).toBe('No open incidents.');
  });

  it('lists open incidents newest first with severity, service, summary and when', () => {
    const message = incidentsMessage([paymentMemory, databaseLatency, cartForecast, orderLatency], { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('Open incidents (4)');
    expect(texts[1]).toBe('🔴 1 critical · 🟠 2 warning · 🔵 1 info');
    expect(texts.slice(2).map((text) => text.split('\n')[0])).toEqual([
      '🟠 *cart* — cart memory reaches its limit (1.00 GiB) in about 3 h',
      '🟠 *order-service*: latency_p95 420 ms (usually 80 ms)',
      '🔴 *database*: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)',
      '🔵 *payment*: memory 812 MiB (usually 610 MiB)',
    ]);
    expect(texts[2]).toContain('Predicted <!date^');
    expect(texts[4]).toBe(
      `🔴 *database*: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)\nDetected <!date^${(NOW - 6 * MINUTE) / 1000}^{date_short_pretty} {time}|2025-05-06 14:24 UTC> (6 min ago)`,
    );
    expect(message.text.split('\n')).toEqual([
      'Open incidents (4): 🔴 1 critical · 🟠 2 warning · 🔵 1 info',
      '🟠 cart — cart memory reaches its limit (1.00 GiB) in about 3 h — 2 min ago',
      '🟠 order-service: latency_p95 420 ms (usually 80 ms) — 4 min ago',
      '🔴 database: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores) — 6 min ago',
      '🔵 payment: memory 812 MiB (usually 610 MiB) — 20 min ago',
    ]);
  });

  it('renders a mention hidden in a service name or summary literally', () => {
    const hostile = anomaly({ service: 'api<!channel>', summary: 'api<!channel>: restarts 4 restarts/min <@U0ADMIN>', severity: 'critical' });
    const message = incidentsMessage([hostile], { now: NOW });
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
    expect(visibleText(message.blocks)).toContain('🔴 *api&lt;!channel&gt;*: restarts 4 restarts/min &lt;@U0ADMIN&gt;');
  });

  it('fits 500 incidents into 50 blocks and a 4,000-character fallback, saying how many are hidden', () => {
    const message = incidentsMessage(manyAnomalies(500), { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(message.blocks).toHaveLength(50);
    expect(textsOf(message.blocks).at(-1)).toBe('… 453 more incidents not shown');
    expect(message.text).toMatch(/\n… and \d+ more$/);
    expect(message.text.split('\n')[1]).toContain('service-000');
  });

  it('keeps an enormous summary within the section limit', () => {
    const message = incidentsMessage([anomaly({ service: 'logs', summary: `logs: ${'<x> '.repeat(3000)}` })], { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
  });
});
