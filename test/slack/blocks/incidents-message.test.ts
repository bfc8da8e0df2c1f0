import { describe, expect, it } from 'vitest';
import { anomalyIncidentSummary } from '../../../src/investigation/incident-summary.js';
import { incidentLink, incidentsMessage } from '../../../src/slack/blocks/incidents-message.js';
import { checkBlocks, checkFallback, expectNoInjection, textsOf, visibleText } from './block-checks.js';
import {
  MINUTE,
  NOW,
  anomaly,
  cartForecast,
  databaseIncident,
  databaseLatency,
  frontendIncident,
  incidentSummary,
  manyAnomalies,
  orderLatency,
  paymentIncident,
  paymentMemory,
  resolvedCartIncident,
} from './estate-fixtures.js';

describe('incidentsMessage', () => {
  it('says "No open incidents" when there are none', () => {
    const message = incidentsMessage([], { now: NOW });
    checkBlocks(message.blocks, 50);
    expect(visibleText(message.blocks)).toBe('✅ No open incidents.');
    expect(message.text).toBe('No open incidents.');
  });

  it('lists open incidents newest first: id linked to the root message, severity, origin, services, alerts, first seen, acknowledgement', () => {
    const message = incidentsMessage([paymentIncident, databaseIncident, frontendIncident], { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('Open incidents (3)');
    expect(texts[1]).toBe('🔴 1 critical · 🟠 1 warning · 🔵 1 info');
    expect(texts.slice(2).map((text) => text.split('\n')[0])).toEqual([
      '🟠 *INC-9* · warning · 🔁 flapping · origin *frontend*',
      '🔴 *<https://slack.com/app_redirect?channel=C0PLATFORM&amp;message_ts=1746541440.000100|INC-7>* · critical · origin *database*',
      '🔵 *INC-5* · info · origin *payment*',
    ]);
    expect(texts[3]).toBe(
      [
        '🔴 *<https://slack.com/app_redirect?channel=C0PLATFORM&amp;message_ts=1746541440.000100|INC-7>* · critical · origin *database*',
        'Services: database, order-service · 2 of 3 alerts firing',
        `First seen <!date^${(NOW - 6 * MINUTE) / 1000}^{date_short_pretty} {time}|2025-05-06 14:24 UTC> (6 min ago) · acknowledged by <@U0CAROL>`,
      ].join('\n'),
    );
    expect(texts[4]).toContain('1 of 1 alert firing');
    expect(texts[4]).toContain('· not acknowledged');
    expect(message.text.split('\n')).toEqual([
      'Open incidents (3): 🔴 1 critical · 🟠 1 warning · 🔵 1 info',
      '🟠 INC-9 on frontend: 1 of 1 alert firing — 2 min ago',
      '🔴 INC-7 on database: 2 of 3 alerts firing — 6 min ago',
      '🔵 INC-5 on payment: 1 of 1 alert firing — 20 min ago',
    ]);
  });

  it('lists incidents resolved in the last day after the open ones, in one section with fewer details', () => {
    const message = incidentsMessage([resolvedCartIncident, databaseIncident], { now: NOW });
    checkBlocks(message.blocks, 50);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('Open incidents (1)');
    expect(texts.at(-1)).toBe(
      `*Resolved in the last 24 h (1)*\n✅ *<https://slack.com/app_redirect?channel=C0STORE&amp;message_ts=1746533400.000200|INC-3>* · cart · resolved <!date^${(NOW - 120 * MINUTE) / 1000}^{date_short_pretty} {time}|2025-05-06 12:30 UTC> (2 h ago) by <@U0DAVE>`,
    );
    expect(message.text.split('\n').slice(-2)).toEqual(['Resolved in the last 24 h:', '✅ INC-3 on cart — resolved 2 h ago']);
  });

  it('still lists the resolved ones when nothing is open', () => {
    const message = incidentsMessage([resolvedCartIncident], { now: NOW });
    checkBlocks(message.blocks, 50);
    const texts = textsOf(message.blocks);
    expect(texts[0]).toBe('✅ No open incidents.');
    expect(texts[1]).toMatch(/^\*Resolved in the last 24 h \(1\)\*\n✅ \*<https:/);
    expect(message.text.split('\n')[0]).toBe('No open incidents.');
  });

  it('builds a link Slack can follow from the channel and ts alone', () => {
    expect(incidentLink({ channel: 'C0PLATFORM', ts: '1746541440.000100' })).toBe('https://slack.com/app_redirect?channel=C0PLATFORM&message_ts=1746541440.000100');
    expect(incidentLink({ channel: '#shop|x>', ts: '1.2' })).toBe('https://slack.com/app_redirect?channel=%23shop%7Cx%3E&message_ts=1.2');
  });

  it('renders a mention hidden in an id, a service or a user id literally', () => {
    const hostile = incidentSummary({ id: 'INC-<!channel>', services: ['api<!here>'], acknowledgedBy: 'U1><!channel', severity: 'critical' });
    const resolved = incidentSummary({ id: 'INC-<@U0ADMIN>', services: ['x'], status: 'resolved', resolvedAt: NOW, resolvedBy: '<!channel>' });
    const message = incidentsMessage([hostile, resolved], { now: NOW });
    expectNoInjection(message.text);
    const all = visibleText(message.blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<@U0ADMIN>');
    expect(all).toContain('*INC-&lt;!channel&gt;*');
    expect(all).toContain('origin *api&lt;!here&gt;*');
  });

  it('fits 500 incidents and 500 resolved ones into 50 blocks and a 4,000-character fallback, saying how many are hidden', () => {
    const open = Array.from({ length: 500 }, (_, index) => incidentSummary({ id: `INC-${index}`, services: [`service-${index}`], firstSeen: NOW - index * 1000 }));
    const resolved = open.map((incident) => ({ ...incident, id: `${incident.id}r`, status: 'resolved' as const, resolvedAt: NOW - MINUTE }));
    const message = incidentsMessage([...open, ...resolved], { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(message.blocks).toHaveLength(50);
    const texts = textsOf(message.blocks);
    expect(texts.at(-2)).toBe('… 454 more incidents not shown');
    expect(texts.at(-1)).toMatch(/^\*Resolved in the last 24 h \(500\)\*\n✅ .*\n… and \d+ more$/s);
    expect(message.text).toMatch(/\n… and \d+ more$/);
    expect(message.text.split('\n')[1]).toContain('INC-0 ');
  });
});

describe('incidentsMessage without an incident store: anomalies standing in for incidents', () => {
  const standIns = (anomalies: Parameters<typeof anomalyIncidentSummary>[0][]) => anomalies.map(anomalyIncidentSummary);

  it('lists them newest first with severity, service, summary and when, as before incidents existed', () => {
    const message = incidentsMessage(standIns([paymentMemory, databaseLatency, cartForecast, orderLatency]), { now: NOW });
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
    const message = incidentsMessage(standIns([hostile]), { now: NOW });
    expectNoInjection(visibleText(message.blocks));
    expectNoInjection(message.text);
    expect(visibleText(message.blocks)).toContain('🔴 *api&lt;!channel&gt;*: restarts 4 restarts/min &lt;@U0ADMIN&gt;');
  });

  it('fits 500 of them into 50 blocks, saying how many are hidden', () => {
    const message = incidentsMessage(standIns(manyAnomalies(500)), { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
    expect(message.blocks).toHaveLength(50);
    expect(textsOf(message.blocks).at(-1)).toBe('… 453 more incidents not shown');
    expect(message.text.split('\n')[1]).toContain('service-000');
  });

  it('keeps an enormous summary within the section limit', () => {
    const message = incidentsMessage(standIns([anomaly({ service: 'logs', summary: `logs: ${'<x> '.repeat(3000)}` })]), { now: NOW });
    checkBlocks(message.blocks, 50);
    checkFallback(message.text);
  });
});
