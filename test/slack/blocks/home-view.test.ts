import { describe, expect, it } from 'vitest';
import { homeView } from '../../../src/slack/blocks/home-view.js';
import { checkBlocks, expectNoInjection, textsOf, visibleText } from './block-checks.js';
import { anomalyIncidentSummary } from '../../../src/investigation/incident-summary.js';
import { MINUTE, NOW, anomaly, estate, incidentSummary, manyAnomalies, resolvedCartIncident } from './estate-fixtures.js';

describe('homeView', () => {
  it('is a Home tab with each part and the time it was generated', () => {
    const view = homeView(estate(), { now: NOW });
    expect(view.type).toBe('home');
    checkBlocks(view.blocks, 100);
    const texts = textsOf(view.blocks);
    expect(texts[0]).toBe('AIOps');
    expect(texts[1]).toBe('5 services · 3 in anomaly · 3 open incidents · 1 awaiting approval');
    expect(texts).toEqual(expect.arrayContaining(['Open incidents (3)', 'Services in anomaly (3)', 'Pending approvals (1)', 'Recent actions']));
    expect(texts.at(-1)).toBe(`Generated <!date^${(NOW - MINUTE) / 1000}^{date_short_pretty} {time}|2025-05-06 14:29 UTC> (1 min ago)`);
  });

  it('orders incidents newest first, services most severe first, actions newest first', () => {
    const texts = textsOf(homeView(estate(), { now: NOW }).blocks);
    const after = (title: string) => texts.slice(texts.indexOf(title) + 1);
    expect(after('Open incidents (3)').slice(0, 3).map((text) => text.split(' · ')[0])).toEqual(['🟠 *INC-9*', '🔴 *<https://slack.com/app_redirect?channel=C0PLATFORM&amp;message_ts=1746541440.000100|INC-7>*', '🔵 *INC-5*']);
    expect(after('Services in anomaly (3)').slice(0, 3).map((text) => text.split(':')[0])).toEqual(['🔴 *database*', '🔴 *order-service*', '🔴 *payment*']);
    expect(after('Pending approvals (1)')[0]).toMatch(/^⏸️ \*scale order-service to 6 replicas\* on \*order-service\*\nRequested <!date\^/);
    const actions = after('Recent actions')[0]!.split('\n');
    expect(actions[0]).toMatch(/^\*scale cart to 4 replicas\* on \*cart\*: succeeded · /);
    expect(actions[1]).toMatch(/^\*rollout restart payment\* on \*payment\*: succeeded, error rate back to 0.4% · /);
  });

  it('lists open incidents with their details, and those resolved in the last day in one section after them', () => {
    const texts = textsOf(homeView(estate({ incidents: [...estate().incidents, resolvedCartIncident] }), { now: NOW }).blocks);
    expect(texts[1]).toBe('5 services · 3 in anomaly · 3 open incidents · 1 awaiting approval');
    const opened = texts.indexOf('Open incidents (3)');
    expect(texts[opened + 2]).toContain('Services: database, order-service · 2 of 3 alerts firing');
    expect(texts[opened + 2]).toContain('acknowledged by <@U0CAROL>');
    expect(texts[opened + 4]).toMatch(/^\*Resolved in the last 24 h \(1\)\*\n✅ \*<https:\/\/slack\.com\/app_redirect\?channel=C0STORE&amp;message_ts=1746533400\.000200\|INC-3>\* · cart · resolved <!date\^/);
    expect(texts[opened + 4]).toMatch(/by <@U0DAVE>$/);
  });

  it('says "None" in every empty part', () => {
    const quiet = estate({
      services: estate().services.map((service) => ({ ...service, healthy: true, anomalies: [] })),
      incidents: [],
      pendingApprovals: [],
      recentActions: [],
    });
    const view = homeView(quiet, { now: NOW });
    checkBlocks(view.blocks, 100);
    const texts = textsOf(view.blocks);
    for (const title of ['Open incidents (0)', 'Services in anomaly (0)', 'Pending approvals (0)', 'Recent actions']) {
      expect(texts[texts.indexOf(title) + 1], title).toBe('None');
    }
  });

  it('stays within 100 blocks on a very bad day and counts what it leaves out', () => {
    const anomalies = manyAnomalies(500);
    const stormy = estate({
      services: anomalies.map((item) => ({ service: item.service, team: 'team', channel: '#ops', healthy: false, anomalies: [item] })),
      incidents: [
        ...anomalies.map((item, index) => incidentSummary({ id: `INC-${index}`, services: [item.service], firstSeen: item.detectedAt })),
        ...anomalies.map((item, index) => incidentSummary({ id: `INC-R${index}`, services: [item.service], status: 'resolved', resolvedAt: NOW - index * MINUTE })),
      ],
      pendingApprovals: anomalies.map((item, index) => ({ id: `approval-${index}`, service: item.service, action: `restart ${item.service}`, requestedAt: NOW - index * MINUTE })),
      recentActions: anomalies.map((item, index) => ({ id: `action-${index}`, service: item.service, action: `restart ${item.service}`, outcome: 'succeeded', at: NOW - index * MINUTE })),
    });
    const view = homeView(stormy, { now: NOW });
    checkBlocks(view.blocks, 100);
    const all = visibleText(view.blocks);
    expect(all).toContain('… 480 more incidents not shown');
    expect(all).toContain('… 480 more services in anomaly not shown');
    expect(all).toContain('… 480 more approvals not shown');
    expect(all).toContain('… and 490 more (`/aiops audit` lists them)');
  });

  it('escapes mentions in names, actions and outcomes', () => {
    const hostile = anomaly({ service: 'x<!channel>', summary: 'x<!channel>: <@U0ADMIN>', severity: 'critical' });
    const view = homeView(
      estate({
        services: [{ service: 'x<!channel>', team: '<!here>', channel: '#ops', healthy: false, anomalies: [hostile] }],
        incidents: [anomalyIncidentSummary(hostile), incidentSummary({ id: 'INC-<!everyone>', services: ['y<!here>'], status: 'resolved', resolvedAt: NOW })],
        pendingApprovals: [{ id: 'a', service: 'x<!channel>', action: '<!everyone>', requestedAt: NOW }],
        recentActions: [{ id: 'b', service: 'x', action: 'restart', outcome: '<https://evil.example|done>', at: NOW }],
      }),
      { now: NOW },
    );
    checkBlocks(view.blocks, 100);
    const all = visibleText(view.blocks);
    expectNoInjection(all);
    expect(all).not.toContain('<!everyone>');
    expect(all).toContain('*x&lt;!channel&gt;*: &lt;@U0ADMIN&gt;');
  });
});

describe('App Home capacity warnings', () => {
  const digest = (service: string, hoursAhead: number, expected: boolean) => ({
    service, signal: 'memory' as const, generatedAt: NOW, horizonHours: 168, model: 'level', backtestError: 1, current: 400e6, peak: 900e6, peakAt: NOW + 50 * 3_600_000, average: 500e6,
    limit: 805_306_368, currentReplicas: 3, recommendedReplicas: 5, ...(expected ? { limitReachedAt: NOW + hoursAhead * 3_600_000 } : { limitPossiblyReachedAt: NOW + hoursAhead * 3_600_000 }), hourly: [],
  });

  it('lists the services whose forecast reaches a limit within the week, saying how sure, with the replicas needed', () => {
    const view = homeView(estate(), { now: NOW, capacityWarnings: [digest('cart', 30, true), digest('payment', 100, false)] });
    checkBlocks(view.blocks, 100);
    const text = visibleText(view.blocks);
    expect(text).toContain('Capacity within a week (2)');
    expect(text).toMatch(/cart\* memory reaches its limit \(768 MiB\) .*in 1 d.* · 5 replicas needed, 3 now/);
    expect(text).toMatch(/payment\* memory may reach its limit \(95% bound\)/);
  });

  it('says none when no forecast reaches one, and leaves the part out when forecasts are not available', () => {
    expect(visibleText(homeView(estate(), { now: NOW, capacityWarnings: [] }).blocks)).toMatch(/Capacity within a week \(0\)[\s\S]*None/);
    expect(visibleText(homeView(estate(), { now: NOW }).blocks)).not.toContain('Capacity within a week');
  });
});
