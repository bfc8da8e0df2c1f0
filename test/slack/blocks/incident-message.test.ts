import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../src/alerts/correlate.js';
import { INCIDENT_ACTIONS, incidentMessage, incidentNote } from '../../../src/slack/blocks/incident-message.js';
import { predictedExhaustion } from '../../../src/slack/predicted-exhaustion.js';

const NOW = Date.UTC(2026, 10, 24, 19, 30);

function incident(overrides: Partial<Incident> = {}): Incident {
  const alert = (fingerprint: string, service: string, status: 'firing' | 'resolved') => ({
    fingerprint, source: 'alertmanager' as const, name: 'HighErrorRate', service, groupKey: 'HighErrorRate', status, severity: 'critical' as const,
    startsAt: NOW - 600_000, firstSeen: NOW - 600_000, lastSeen: NOW - 60_000, summary: `${service} is failing <!channel> requests`, transitions: [NOW - 600_000],
  });
  return {
    id: 'INC-7', status: 'open', flapping: false, services: ['database', 'order-service'], origin: 'database', severity: 'critical',
    alerts: { a: alert('a', 'database', 'firing'), b: alert('b', 'order-service', 'resolved') },
    firstSeen: NOW - 600_000, lastSeen: NOW - 60_000, ...overrides,
  };
}

describe('incidentMessage', () => {
  it('names the incident, its origin and its alerts, with buttons while open, escaping what alerts say', () => {
    const message = incidentMessage(incident(), { now: NOW });
    expect(message.text).toMatch(/^Critical INC-7 on database/);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('1 of 2 alerts firing');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    const actions = message.blocks.find((block) => block.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements.map((element) => element.action_id)).toEqual([INCIDENT_ACTIONS.acknowledge, INCIDENT_ACTIONS.resolve, INCIDENT_ACTIONS.silence, INCIDENT_ACTIONS.investigate]);
    expect(actions.elements.every((element) => element.value === 'INC-7')).toBe(true);
  });

  it('offers the forecast while a predicted exhaustion of a forecast signal fires in it', () => {
    const base = incident();
    const predicted = { ...base.alerts.a!, fingerprint: 'p', source: 'detector' as const, name: 'PredictedExhaustion', service: 'order-service', signals: ['memory' as const], severity: 'warning' as const };
    const actionIds = (alerts: Incident['alerts']) => {
      const actions = incidentMessage(incident({ alerts }), { now: NOW }).blocks.find((block) => block.type === 'actions') as { elements: Array<{ action_id: string }> };
      return actions.elements.map((element) => element.action_id);
    };
    expect(predictedExhaustion({ alerts: { ...base.alerts, p: predicted } })).toEqual({ service: 'order-service', signal: 'memory' });
    expect(actionIds({ ...base.alerts, p: predicted }).at(-1)).toBe(INCIDENT_ACTIONS.forecast);
    // Over, from Alertmanager (whose labels say nothing reliable), or on a signal with no forecast: no button.
    for (const other of [{ ...predicted, status: 'resolved' as const }, { ...predicted, source: 'alertmanager' as const }, { ...predicted, signals: ['restarts' as const] }]) {
      expect(predictedExhaustion({ alerts: { p: other } })).toBeUndefined();
      expect(actionIds({ ...base.alerts, p: other })).not.toContain(INCIDENT_ACTIONS.forecast);
    }
  });

  it('drops Acknowledge once acknowledged and every button once resolved', () => {
    const acknowledged = incidentMessage(incident(), { now: NOW, acknowledgedBy: 'U0CAROL' });
    expect(JSON.stringify(acknowledged.blocks)).toContain('Acknowledged by <@U0CAROL>');
    expect(JSON.stringify(acknowledged.blocks)).not.toContain(INCIDENT_ACTIONS.acknowledge);
    const resolved = incidentMessage(incident({ status: 'resolved', resolvedAt: NOW }), { now: NOW });
    expect(resolved.text).toMatch(/^Resolved INC-7/);
    expect(resolved.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(resolved.blocks)).toContain('Resolved after 10 min');
    expect(JSON.stringify(resolved.blocks)).not.toContain('Resolved by');
  });

  it('names who resolved it by hand, escaped', () => {
    const resolved = incidentMessage(incident({ status: 'resolved', resolvedAt: NOW, resolvedBy: 'U0DAVE' }), { now: NOW });
    const header = (resolved.blocks[0] as { text: { text: string } }).text.text;
    expect(header).toContain('Resolved after 10 min\nResolved by <@U0DAVE>');
    expect(resolved.blocks.some((block) => block.type === 'actions')).toBe(false);
    const hostile = incidentMessage(incident({ status: 'resolved', resolvedAt: NOW, resolvedBy: 'U1><!channel' }), { now: NOW });
    expect(JSON.stringify(hostile.blocks)).not.toContain('<!channel>');
    // A reopened incident that still carried the name would be wrong; an open one shows none.
    expect(JSON.stringify(incidentMessage(incident({ resolvedBy: 'U0DAVE' }), { now: NOW }).blocks)).not.toContain('Resolved by');
  });

  it('shows the Kubernetes context as an escaped section under the alerts, within the section limit', () => {
    const context = ['Deploy: payment 2.4.0 → 2.5.0 (new <!channel> flow) — 18:58 UTC, 2 min before the first alert', 'Warning OOMKilling on payment (2 pods)'];
    const message = incidentMessage(incident(), { now: NOW, context });
    const texts = message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
    expect(texts[2]).toBe('*Context*\nDeploy: payment 2.4.0 → 2.5.0 (new &lt;!channel&gt; flow) — 18:58 UTC, 2 min before the first alert\nWarning OOMKilling on payment (2 pods)');
    expect(message.blocks.findIndex((block) => block.type === 'actions')).toBe(3);
    expect(JSON.stringify(incidentMessage(incident(), { now: NOW, context: [] }).blocks)).not.toContain('Context');
    const flood = incidentMessage(incident(), { now: NOW, context: Array.from({ length: 200 }, (_, index) => `event ${index} ${'x'.repeat(100)}`) });
    const section = flood.blocks[2] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text).toMatch(/… and \d+ more$/);
  });

  it('links each alert\'s runbook beside it and the services\' runbooks under the summary, http(s) only', () => {
    const base = incident();
    const withRunbook = { ...base.alerts.a!, generatorURL: 'http://prometheus:9090/graph?g0.expr=up', runbookURL: 'https://runbooks.example.com/high-error-rate' };
    const hostile = { ...base.alerts.b!, runbookURL: 'javascript:alert(1)' };
    const message = incidentMessage(incident({ alerts: { a: withRunbook, b: hostile } }), {
      now: NOW,
      runbooks: [{ service: 'database', url: 'https://wiki.example.com/runbooks/database' }, { service: 'order-service', url: 'https://wiki.example.com/runbooks/order-service' }],
    });
    const texts = message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
    expect(texts[0]).toContain('📖 Runbooks: <https://wiki.example.com/runbooks/database|database> · <https://wiki.example.com/runbooks/order-service|order-service>');
    expect(texts[1]).toContain('• database is failing &lt;!channel&gt; requests · <http://prometheus:9090/graph?g0.expr=up|graph> · <https://runbooks.example.com/high-error-rate|runbook>');
    expect(JSON.stringify(message.blocks)).not.toContain('javascript:');
    expect(JSON.stringify(incidentMessage(incident(), { now: NOW }).blocks)).not.toContain('Runbook');
  });
});

describe('incidentNote', () => {
  it('tells the thread about joins, escalations and the resolution, and stays quiet about the rest', () => {
    const open = incident();
    expect(incidentNote({ kind: 'joined', incidentId: 'INC-7', fingerprint: 'b', reason: '' }, open)?.text).toMatch(/^➕ Joined: order-service is failing/);
    expect(incidentNote({ kind: 'escalated', incidentId: 'INC-7', fingerprint: 'a', reason: '', severity: 'critical' }, open)?.text).toMatch(/Escalated to \*critical\*/);
    expect(incidentNote({ kind: 'duplicate', incidentId: 'INC-7', fingerprint: 'a', reason: '' }, open)).toBeUndefined();
    expect(incidentNote({ kind: 'resolved', incidentId: 'INC-7', fingerprint: 'a', reason: '' }, incident({ status: 'resolved', resolvedAt: NOW }))?.text).toBe('✅ Resolved after 10 min');
    expect(incidentNote({ kind: 'resolved', incidentId: 'INC-7', fingerprint: 'a', reason: 'resolved by hand by U0DAVE' }, incident({ status: 'resolved', resolvedAt: NOW, resolvedBy: 'U0DAVE' }))?.text).toBe(
      '✅ Resolved after 10 min by <@U0DAVE>',
    );
  });
});
