import { describe, expect, it } from 'vitest';
import { SERVICE_STATUS_ACTION_ID, statusMessage } from '../../../src/slack/blocks/status-message.js';
import { buttonsOf, checkBlocks, checkFallback, expectNoInjection, textsOf, visibleText } from './block-checks.js';
import { NOW, anomaly, estate, manyAnomalies, paymentMemory } from './estate-fixtures.js';

describe('statusMessage for the whole estate', () => {
  const message = statusMessage(estate(), { now: NOW });
  const texts = textsOf(message.blocks);

  it('shows services in anomaly (most severe first) with their top anomaly, then the healthy ones', () => {
    checkBlocks(message.blocks, 50);
    expect(texts[0]).toBe('Estate status');
    expect(texts[1]).toMatch(/^5 services · 3 in anomaly · 3 open incidents · as of <!date\^\d+\^/);
    const troubled = texts.filter((text) => text.startsWith('🔴'));
    expect(troubled.map((text) => text.split('\n')[0])).toEqual([
      '🔴 *database*: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)',
      '🔴 *order-service*: latency_p95 420 ms (usually 80 ms)',
      '🔴 *payment*: memory 812 MiB (usually 610 MiB)',
    ]);
    expect(troubled[2]).toContain('_payments_ · <#C0123ABCDEF>');
    expect(texts.at(-1)).toBe('✅ *Healthy (2):* cart, frontend');
  });

  it('offers a Details button per service in anomaly, labelled for screen readers', () => {
    expect(buttonsOf(message.blocks)).toEqual([
      { text: 'Details', value: 'database', actionId: SERVICE_STATUS_ACTION_ID, accessibilityLabel: 'Status of database' },
      { text: 'Details', value: 'order-service', actionId: SERVICE_STATUS_ACTION_ID, accessibilityLabel: 'Status of order-service' },
      { text: 'Details', value: 'payment', actionId: SERVICE_STATUS_ACTION_ID, accessibilityLabel: 'Status of payment' },
    ]);
  });

  it('has a plain-text fallback with every service', () => {
    checkFallback(message.text);
    expect(message.text.split('\n')).toEqual([
      'Estate status: 5 services · 3 in anomaly · 3 open incidents',
      '🔴 database: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)',
      '🔴 order-service: latency_p95 420 ms (usually 80 ms)',
      '🔴 payment: memory 812 MiB (usually 610 MiB)',
      '✅ Healthy (2): cart, frontend',
    ]);
  });

  it('says "none" when no service is healthy', () => {
    const allDown = estate({ services: estate().services.map((service) => ({ ...service, healthy: false })) });
    expect(textsOf(statusMessage(allDown, { now: NOW }).blocks).at(-1)).toBe('✅ *Healthy:* none');
  });

  it('fits 500 services in anomaly into 50 blocks and says how many are hidden', () => {
    const services = manyAnomalies(500).map((item) => ({ service: item.service, team: 'team', channel: '#ops', healthy: false, anomalies: [item] }));
    const crowded = statusMessage(estate({ services }), { now: NOW });
    checkBlocks(crowded.blocks, 50);
    checkFallback(crowded.text);
    expect(visibleText(crowded.blocks)).toMatch(/… 454 more services in anomaly not shown/);
    expect(crowded.text).toMatch(/… and \d+ more$/);
  });

  it('lists 2,000 healthy services within the section limit', () => {
    const services = Array.from({ length: 2000 }, (_, index) => ({ service: `service-${index}`, team: 'team', channel: '#ops', healthy: true, anomalies: [] }));
    const calm = statusMessage(estate({ services }), { now: NOW });
    checkBlocks(calm.blocks, 50);
    checkFallback(calm.text);
    expect(textsOf(calm.blocks).at(-1)).toMatch(/^✅ \*Healthy \(2000\):\* service-0, service-1, .*, … and \d+ more$/);
  });

  it('escapes names and keeps button labels within 75 characters', () => {
    const longName = `evil<!channel>${'x'.repeat(200)}`;
    const hostile = anomaly({ service: longName, summary: `${longName}: error_rate 30.0% errors <@U0ADMIN>`, severity: 'critical' });
    const message = statusMessage(estate({ services: [{ service: longName, team: '<!here>', channel: '#ops', healthy: false, anomalies: [hostile] }] }), { now: NOW });
    checkBlocks(message.blocks, 50);
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
    const [detailsButton] = buttonsOf(message.blocks);
    expect(detailsButton!.accessibilityLabel!.length).toBeLessThanOrEqual(75);
    expect(detailsButton!.value).toBe(longName);
  });
});

describe('statusMessage for one service', () => {
  it('shows health, owners, anomalies most severe first and what waits for approval', () => {
    const status = estate();
    const orderService = status.services.find((service) => service.service === 'order-service')!;
    orderService.anomalies = [paymentMemory, ...orderService.anomalies].map((item) => ({ ...item, service: 'order-service', summary: item.summary.replace(/^payment/, 'order-service') }));
    const message = statusMessage(status, { service: 'order-service', now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const texts = textsOf(message.blocks);
    expect(texts.slice(0, 5)).toEqual(['order-service', '*Health*\n🔴 In anomaly', '*Team*\norders', '*Channel*\n#orders', '*Open incidents*\n1']);
    const anomalies = texts.find((text) => text.startsWith('*Anomalies*'))!.split('\n');
    expect(anomalies[1]).toMatch(/^🟠 \*order-service\*: latency_p95 420 ms/);
    expect(anomalies[2]).toMatch(/^🔵 \*order-service\*: memory 812 MiB/);
    expect(visibleText(message.blocks)).toContain('*Awaiting approval*\n⏸️ scale order-service to 6 replicas · requested <!date^');
    expect(message.text.split('\n')[0]).toBe('order-service: 🔴 In anomaly · team orders · 1 open incident');
  });

  it('says "None" for a healthy service’s anomalies', () => {
    const message = statusMessage(estate(), { service: 'cart', now: NOW });
    checkBlocks(message.blocks, 50);
    expect(visibleText(message.blocks)).toContain('*Health*\n✅ Healthy');
    expect(visibleText(message.blocks)).toContain('*Anomalies*\nNone');
    expect(visibleText(message.blocks)).toContain('*Recent actions*\nscale cart to 4 replicas: succeeded · <!date^');
    expect(visibleText(message.blocks)).not.toContain('Awaiting approval');
  });

  it('names the known services when asked about an unknown one, escaping what was typed', () => {
    const message = statusMessage(estate(), { service: '<!channel>', now: NOW });
    checkBlocks(message.blocks, 50);
    expectNoInjection(visibleText(message.blocks));
    expect(visibleText(message.blocks)).toBe(
      'No service named `&lt;!channel&gt;` in the catalogue.\nKnown services: `cart`, `database`, `frontend`, `order-service`, `payment`',
    );
    checkFallback(message.text);
  });
});
