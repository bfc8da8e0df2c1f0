import { describe, expect, it } from 'vitest';
import { applyAlert } from '../../src/alerts/correlate.js';
import { possibleRelation, relationTo } from '../../src/alerts/incident-relations.js';
import type { Incident, IncidentAlert } from '../../src/alerts/incident.js';
import { T0, catalogue, detectorAlert, emptyState, managerAlert, sequentialIds } from './builders.js';

/** One incident opened by one alert, and the alert as the incident holds it. */
function opened(alert: Parameters<typeof applyAlert>[1]): { incident: Incident; held: IncidentAlert } {
  const { incidents } = applyAlert(emptyState(), alert, catalogue, { newIncidentId: sequentialIds() });
  const incident = incidents[0]!;
  return { incident, held: incident.alerts[alert.fingerprint]! };
}

describe('possibleRelation: the quick test before relationTo', () => {
  const services = Object.keys(catalogue.services);
  const onService = services.map((service) => opened(detectorAlert(service, ['latency_p95'], T0)));

  it('never rules out an incident that relationTo relates a detector alert to, and rules out the rest (every pair of catalogued services)', () => {
    let ruledOut = 0;
    for (const alert of onService) {
      const possible = possibleRelation(alert.held, catalogue);
      expect(possible).toBeDefined();
      for (const { incident } of onService) {
        const related = relationTo(alert.held, incident, catalogue) !== undefined;
        expect(possible!(incident), `${alert.held.service} against ${incident.services.join(', ')}`).toBe(related);
        if (!related) ruledOut += 1;
      }
    }
    // The example catalogue is a shop: most pairs of its services are not neighbours.
    expect(ruledOut).toBeGreaterThan(services.length);
  });

  it('says nothing of alerts that an Alertmanager group or no service ties to incidents', () => {
    const grouped = opened(
      managerAlert({ fingerprint: 'f000000000000001', status: 'firing', startsAt: T0, receivedAt: T0, service: 'cart', labels: { alertname: 'HighLatency', service: 'cart' }, group: { key: '{}:{service="cart"}', labels: { service: 'cart' }, receiver: 'aiops', truncatedAlerts: 0 } }),
    );
    expect(possibleRelation(grouped.held, catalogue)).toBeUndefined();
    const serviceless = opened(managerAlert({ fingerprint: 'f000000000000002', status: 'firing', startsAt: T0, receivedAt: T0, labels: { alertname: 'NodeDiskFull', instance: 'node-1' } }));
    expect(possibleRelation(serviceless.held, catalogue)).toBeUndefined();
  });
});
