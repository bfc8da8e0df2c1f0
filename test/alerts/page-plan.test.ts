import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Incident } from '../../src/alerts/correlate.js';
import { nextPageAction, pagedReceivers } from '../../src/alerts/page-plan.js';
import { EXAMPLE_CATALOGUE_PATH, parseCatalogue } from '../../src/catalogue.js';
import { T0 } from './builders.js';

/** The example catalogue with its paging section replaced (and any other top-level keys set). */
function withPaging(paging: unknown, other: Record<string, unknown> = {}): string {
  return stringify({ ...(parse(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as Record<string, unknown>), paging, ...other });
}

const catalogue = parseCatalogue(
  withPaging({
    receivers: { 'payments-pagerduty': { type: 'pagerduty' }, 'platform-opsgenie': { type: 'opsgenie', url: 'https://api.eu.opsgenie.com' }, 'everyone-warned': { type: 'pagerduty' } },
    routes: [
      { receiver: 'payments-pagerduty', teams: ['payments'] },
      { receiver: 'platform-opsgenie', services: ['database', 'cache'] },
      { receiver: 'everyone-warned', minimumSeverity: 'warning', services: ['frontend'] },
    ],
  }),
  'test catalogue',
);

function incident(fields: Partial<Incident> = {}): Incident {
  return { id: 'INC-1', status: 'open', flapping: false, services: ['payment'], origin: 'payment', severity: 'critical', alerts: {}, firstSeen: T0, lastSeen: T0, ...fields };
}

describe('pagedReceivers: which receivers an incident pages', () => {
  it('routes by the owning team, by service, and by severity (critical unless a route says otherwise)', () => {
    expect(pagedReceivers(incident(), catalogue, [])).toEqual(['payments-pagerduty']);
    expect(pagedReceivers(incident({ services: ['checkout', 'database'] }), catalogue, [])).toEqual(['payments-pagerduty', 'platform-opsgenie']);
    expect(pagedReceivers(incident({ severity: 'warning' }), catalogue, [])).toEqual([]);
    expect(pagedReceivers(incident({ services: ['frontend'], severity: 'warning' }), catalogue, [])).toEqual(['everyone-warned']);
    expect(pagedReceivers(incident({ services: ['frontend'], severity: 'info' }), catalogue, [])).toEqual([]);
  });

  it('pages no service-scoped route for an incident naming no catalogued service', () => {
    expect(pagedReceivers(incident({ services: [], origin: undefined }), catalogue, [])).toEqual([]);
  });

  it('adds the receivers an escalation rule that fired names, whatever the routes say', () => {
    const rule = { ...catalogue.alerting.escalation[0]!, page: ['platform-opsgenie'] };
    expect(pagedReceivers(incident({ severity: 'warning' }), catalogue, [rule])).toEqual(['platform-opsgenie']);
  });
});

describe('nextPageAction: what a receiver must be told next', () => {
  const shown = { shownNow: true, acknowledged: false };
  it('triggers an open, routed incident once it is shown, and not before (group wait, maintenance)', () => {
    expect(nextPageAction(incident(), true, shown, undefined)).toBe('trigger');
    expect(nextPageAction(incident(), true, { ...shown, shownNow: false }, undefined)).toBeUndefined();
    expect(nextPageAction(incident(), false, shown, undefined)).toBeUndefined();
  });

  it('tells nothing twice: a triggered page stays as it is while nothing changes', () => {
    expect(nextPageAction(incident(), true, shown, 'triggered')).toBeUndefined();
    expect(nextPageAction(incident(), true, { ...shown, acknowledged: true }, 'acknowledged')).toBeUndefined();
  });

  it('acknowledges a triggered page once someone acknowledges in Slack, and never pages an incident someone already has', () => {
    expect(nextPageAction(incident(), true, { ...shown, acknowledged: true }, 'triggered')).toBe('acknowledge');
    expect(nextPageAction(incident(), true, { ...shown, acknowledged: true }, undefined)).toBeUndefined();
  });

  it('resolves an active page when the incident resolves or is merged away, and leaves an unpaged one unpaged', () => {
    const resolved = incident({ status: 'resolved', resolvedAt: T0 + 60_000 });
    expect(nextPageAction(resolved, true, shown, 'triggered')).toBe('resolve');
    expect(nextPageAction(resolved, true, { ...shown, acknowledged: true }, 'acknowledged')).toBe('resolve');
    expect(nextPageAction(resolved, true, shown, undefined)).toBeUndefined();
    expect(nextPageAction(resolved, true, shown, 'resolved')).toBeUndefined();
    expect(nextPageAction(incident({ mergedInto: 'INC-2' }), true, shown, 'triggered')).toBe('resolve');
  });

  it('pages again under the same key when a resolved incident reopens; keeps an active page whose route no longer matches', () => {
    expect(nextPageAction(incident(), true, shown, 'resolved')).toBe('trigger');
    expect(nextPageAction(incident({ severity: 'warning' }), false, shown, 'triggered')).toBeUndefined();
  });
});

describe('the paging section of the catalogue', () => {
  const oncall = { oncall: { type: 'pagerduty' } };
  it('refuses a route or an escalation rule naming a receiver that does not exist, naming the path', () => {
    expect(() => parseCatalogue(withPaging({ receivers: oncall, routes: [{ receiver: 'on-call' }] }), 'c.yml')).toThrow(/paging\.routes\[0\]\.receiver: unknown receiver "on-call"; expected one of paging\.receivers: oncall/);
    const alerting = { defaultChannel: '#ops-alerts', escalation: [{ name: 'late', unacknowledgedFor: '30m', page: ['nobody'] }] };
    expect(() => parseCatalogue(withPaging({ receivers: oncall }, { alerting }), 'c.yml')).toThrow(/alerting\.escalation\[0\]\.page\[0\]: unknown receiver "nobody"/);
  });

  it('refuses an unknown receiver type, service or team in a route', () => {
    expect(() => parseCatalogue(withPaging({ receivers: { oncall: { type: 'victorops' } } }), 'c.yml')).toThrow(/paging\.receivers\.oncall\.type/);
    expect(() => parseCatalogue(withPaging({ receivers: oncall, routes: [{ receiver: 'oncall', services: ['billing'] }] }), 'c.yml')).toThrow(/paging\.routes\[0\]\.services\[0\]: unknown service "billing"/);
    expect(() => parseCatalogue(withPaging({ receivers: oncall, routes: [{ receiver: 'oncall', teams: ['billing'] }] }), 'c.yml')).toThrow(/paging\.routes\[0\]\.teams\[0\]: unknown team "billing"/);
  });
});
