import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import { settleIncidents } from '../../src/alerts/correlate.js';
import { MINUTE, T0, catalogue, detectorAlert, replay } from './builders.js';

/**
 * Issue 13, point 8: Alertmanager re-sends a still-firing alert only every repeat_interval (4 h by
 * default), so an incident's last delivery says nothing about whether it goes on. A group's alerts,
 * and any alert still firing, keep their incident joinable for as long as it is open.
 */

function delivery(groupLabels: Record<string, string>, alerts: Array<{ name: string; service: string; startsAt: string; status?: 'firing' | 'resolved'; endsAt?: string }>, at: number): Alert[] {
  const matchers = Object.entries(groupLabels).map(([name, value]) => `${name}="${value}"`).join(',');
  return parseAlertmanagerWebhook(
    {
      version: '4',
      groupKey: `{}:{${matchers}}`,
      status: 'firing',
      receiver: 'aiops',
      groupLabels,
      alerts: alerts.map((alert) => ({
        status: alert.status ?? 'firing',
        labels: { alertname: alert.name, service: alert.service, severity: 'warning' },
        annotations: { summary: `${alert.name} on ${alert.service}` },
        startsAt: alert.startsAt,
        endsAt: alert.endsAt ?? '0001-01-01T00:00:00Z',
      })),
    },
    catalogue,
    at,
  );
}

describe('joining an open incident long after its last delivery', () => {
  const slow = { name: 'DatabaseSlow', service: 'database', startsAt: '2024-05-14T10:00:00Z' };
  const connections = { name: 'DatabaseConnectionsHigh', service: 'database', startsAt: '2024-05-14T10:20:00Z' };

  it('keeps a group in one incident when its next alert comes 20 minutes after the first (no redelivery in between)', () => {
    // group_interval sends the grown group at 10:20, its alerts in label order: the new alert
    // comes before the one last delivered at 10:00, 20 minutes ago.
    const { state, changes } = replay([...delivery({ service: 'database' }, [slow], T0), ...delivery({ service: 'database' }, [connections, slow], T0 + 20 * MINUTE)]);
    expect(state.incidents).toHaveLength(1);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'duplicate']);
  });

  it('keeps it even when the grown notification carries only the new alert (a max_alerts cut)', () => {
    const { state } = replay([...delivery({ service: 'database' }, [slow], T0), ...delivery({ service: 'database' }, [connections], T0 + 45 * MINUTE)]);
    expect(state.incidents).toHaveLength(1);
  });

  it('lets a related alert of another group join while an Alertmanager alert of the incident still fires', () => {
    const orders = { name: 'OrdersFailing', service: 'order-service', startsAt: '2024-05-14T10:40:00Z' };
    const { state } = replay([...delivery({ service: 'database' }, [slow], T0), ...delivery({ service: 'order-service' }, [orders], T0 + 40 * MINUTE)]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]!.services).toEqual(['database', 'order-service']);
  });

  it('still opens a new incident once the group’s alerts resolved and the incident closed', () => {
    const resolved = { ...slow, status: 'resolved' as const, endsAt: '2024-05-14T10:10:00Z' };
    const { state } = replay([...delivery({ service: 'database' }, [slow], T0), ...delivery({ service: 'database' }, [resolved], T0 + 10 * MINUTE), ...delivery({ service: 'database' }, [connections], T0 + 40 * MINUTE)]);
    expect(state.incidents.map((incident) => incident.status)).toEqual(['resolved', 'open']);
  });

  it('does not stretch the window for a detector finding that stopped being reported', () => {
    // Detectors report every minute: silence past their resolve timeout means the finding is over.
    const { state } = replay([detectorAlert('database', ['latency_p95'], T0), detectorAlert('order-service', ['error_rate'], T0 + 16 * MINUTE)]);
    expect(state.incidents).toHaveLength(2);
    const settled = settleIncidents(replay([detectorAlert('database', ['latency_p95'], T0)]).state, T0 + 6 * MINUTE);
    expect(settled.incidents[0]!.status).toBe('resolved');
  });
});
