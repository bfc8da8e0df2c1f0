import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/alerts/correlate.js';
import { pageContent } from '../../src/alerts/page-content.js';
import { OpsgenieReceiver } from '../../src/paging/opsgenie-receiver.js';
import { PagerDutyReceiver } from '../../src/paging/pagerduty-receiver.js';
import { startFakePagers, type FakePagers } from '../fakes/pagers.js';
import { freePort } from '../support/free-port.js';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
let pagers: FakePagers;

beforeAll(async () => {
  pagers = await startFakePagers();
});

afterAll(async () => {
  await pagers.close();
});

function incident(id: string, summary = 'payment is failing 40% of requests'): Incident {
  return {
    id,
    status: 'open',
    flapping: false,
    services: ['payment', 'checkout'],
    origin: 'payment',
    severity: 'critical',
    firstSeen: T0,
    lastSeen: T0,
    alerts: {
      f1: {
        fingerprint: 'f1',
        source: 'alertmanager',
        name: 'HighErrorRate',
        service: 'payment',
        groupKey: 'g',
        status: 'firing',
        severity: 'critical',
        startsAt: T0,
        firstSeen: T0,
        lastSeen: T0,
        summary,
        transitions: [T0],
        generatorURL: 'http://prometheus:9090/graph?g0.expr=errors',
      },
    },
  };
}

describe('PagerDuty Events API v2', () => {
  it('triggers one page under the incident key, deduplicates a repeat, then acknowledges and resolves it', async () => {
    const receiver = new PagerDutyReceiver('payments', pagers.pagerDutyUrl, pagers.routingKey);
    const content = pageContent(incident('INC-1'));
    expect(await receiver.send('trigger', content)).toEqual({ kind: 'delivered' });
    expect(await receiver.send('trigger', content)).toEqual({ kind: 'delivered' });
    expect(pagers.pagesSent('pagerduty')).toBe(1);
    const trigger = pagers.calls('pagerduty')[0]!.body;
    expect(trigger).toMatchObject({
      event_action: 'trigger',
      dedup_key: content.dedupKey,
      payload: { severity: 'critical', source: 'payment', summary: '[critical] INC-1 on payment: HighErrorRate', timestamp: new Date(T0).toISOString() },
      links: [{ href: 'http://prometheus:9090/graph?g0.expr=errors', text: 'Alert source' }],
    });
    expect(JSON.stringify(trigger)).toContain('payment is failing 40% of requests');
    expect(await receiver.send('acknowledge', content)).toEqual({ kind: 'delivered' });
    expect(pagers.page('pagerduty', content.dedupKey)?.status).toBe('acknowledged');
    expect(await receiver.send('resolve', content)).toEqual({ kind: 'delivered' });
    expect(pagers.page('pagerduty', content.dedupKey)?.status).toBe('resolved');
  });

  it('cuts a summary past 1,024 characters rather than have the event refused', async () => {
    const receiver = new PagerDutyReceiver('payments', pagers.pagerDutyUrl, pagers.routingKey);
    const long = incident('INC-2');
    long.alerts.f1!.name = `Alert${'x'.repeat(2000)}`;
    expect(await receiver.send('trigger', pageContent(long))).toEqual({ kind: 'delivered' });
    const summary = String((pagers.calls('pagerduty').at(-1)!.body.payload as Record<string, unknown>).summary);
    expect(Array.from(summary)).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('retries a 429 after its Retry-After and a 5xx or no answer with a backoff, and gives up on a refused routing key', async () => {
    const receiver = new PagerDutyReceiver('payments', pagers.pagerDutyUrl, pagers.routingKey);
    const content = pageContent(incident('INC-3'));
    pagers.failNext('pagerduty', 1, 429, { 'retry-after': '7' });
    expect(await receiver.send('trigger', content)).toMatchObject({ kind: 'retry', retryAfterMilliseconds: 7000, reason: expect.stringMatching(/^HTTP 429/) });
    pagers.failNext('pagerduty', 1, 503);
    expect(await receiver.send('trigger', content)).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^HTTP 503/) });
    const nowhere = new PagerDutyReceiver('payments', `http://127.0.0.1:${await freePort()}/v2/enqueue`, pagers.routingKey);
    expect(await nowhere.send('trigger', content)).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/^no answer from 127\.0\.0\.1/) });
    const wrongKey = new PagerDutyReceiver('payments', pagers.pagerDutyUrl, 'not-the-key');
    expect(await wrongKey.send('trigger', content)).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('Invalid routing key') });
    expect(pagers.pagesSent('pagerduty')).toBe(2);
  });

  it('links the runbooks first, the catalogue\'s then the alert\'s, each once and http(s) only, then the alert\'s source', async () => {
    const receiver = new PagerDutyReceiver('payments', pagers.pagerDutyUrl, pagers.routingKey);
    const withRunbooks = incident('INC-4');
    withRunbooks.alerts.f1!.runbookURL = 'https://runbooks.example.com/high-error-rate';
    withRunbooks.alerts.f2 = { ...withRunbooks.alerts.f1!, fingerprint: 'f2', name: 'Hostile', runbookURL: 'javascript:alert(1)' };
    const content = pageContent(withRunbooks, undefined, [{ service: 'payment', url: 'https://wiki.example.com/runbooks/payment' }]);
    expect(content.links).toEqual([
      { href: 'https://wiki.example.com/runbooks/payment', text: 'Runbook: payment' },
      { href: 'https://runbooks.example.com/high-error-rate', text: 'Runbook: HighErrorRate' },
      { href: 'http://prometheus:9090/graph?g0.expr=errors', text: 'Alert source' },
    ]);
    expect(await receiver.send('trigger', content)).toEqual({ kind: 'delivered' });
    expect(pagers.calls('pagerduty').at(-1)!.body.links).toEqual(content.links);
  });
});

describe('Opsgenie Alert API', () => {
  it('creates one alert under the incident alias with its GenieKey, then acknowledges and closes it by alias, saying who', async () => {
    const receiver = new OpsgenieReceiver('platform', pagers.opsgenieUrl, pagers.genieKey);
    const content = pageContent(incident('INC-11', 'y'.repeat(400)));
    expect(await receiver.send('trigger', content)).toEqual({ kind: 'delivered' });
    expect(await receiver.send('trigger', content)).toEqual({ kind: 'delivered' });
    expect(pagers.pagesSent('opsgenie')).toBe(1);
    const create = pagers.calls('opsgenie')[0]!;
    expect(create.headers.authorization).toBe(`GenieKey ${pagers.genieKey}`);
    expect(create.body).toMatchObject({ alias: content.dedupKey, priority: 'P1', entity: 'payment', tags: ['payment', 'checkout'] });
    expect(Array.from(String(create.body.message)).length).toBeLessThanOrEqual(130);
    expect(await receiver.send('acknowledge', pageContent(incident('INC-11'), 'U0ALICE'))).toEqual({ kind: 'delivered' });
    expect(pagers.calls('opsgenie').at(-1)!.body).toMatchObject({ user: 'U0ALICE', note: 'Acknowledged in Slack by U0ALICE' });
    expect(await receiver.send('resolve', content)).toEqual({ kind: 'delivered' });
    expect(pagers.page('opsgenie', content.dedupKey)?.status).toBe('resolved');
  });

  it('counts closing an alert Opsgenie no longer has as done, and refuses a wrong key for good', async () => {
    const receiver = new OpsgenieReceiver('platform', pagers.opsgenieUrl, pagers.genieKey);
    expect(await receiver.send('resolve', pageContent(incident('INC-404')))).toEqual({ kind: 'delivered' });
    const wrongKey = new OpsgenieReceiver('platform', pagers.opsgenieUrl, 'wrong');
    expect(await wrongKey.send('trigger', pageContent(incident('INC-12')))).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^HTTP 401/) });
  });
});
