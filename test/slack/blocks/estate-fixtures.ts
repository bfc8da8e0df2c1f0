import type { Answer, EstateStatus } from '../../../src/investigation/answer.js';
import type { RecentChange } from '../../../src/sources/recent-changes.js';
import type { IncidentSummary } from '../../../src/investigation/incident-summary.js';
import type { Anomaly } from '../../../src/detection/anomaly.js';

/** 6 May 2025, 14:30 UTC: every fixture time counts back from here. */
export const NOW = Date.UTC(2025, 4, 6, 14, 30);
export const MINUTE = 60_000;

export function anomaly(overrides: Partial<Anomaly> & Pick<Anomaly, 'service' | 'summary'>): Anomaly {
  const detectedAt = overrides.detectedAt ?? NOW - 5 * MINUTE;
  return {
    id: `${overrides.service}:anomaly:${detectedAt}`,
    kind: 'anomaly',
    signals: ['latency_p95'],
    score: 0.97,
    severity: 'warning',
    detectedAt,
    evidence: { start: detectedAt - 30 * MINUTE, end: detectedAt },
    ...overrides,
  };
}

export const databaseLatency = anomaly({
  service: 'database',
  summary: 'database: latency_p95 185 ms (usually 9 ms), cpu 1.85 cores (usually 0.42 cores)',
  signals: ['latency_p95', 'cpu'],
  severity: 'critical',
  score: 0.999,
  detectedAt: NOW - 6 * MINUTE,
});

export const orderLatency = anomaly({
  service: 'order-service',
  summary: 'order-service: latency_p95 420 ms (usually 80 ms)',
  severity: 'warning',
  detectedAt: NOW - 4 * MINUTE,
});

export const paymentMemory = anomaly({
  service: 'payment',
  summary: 'payment: memory 812 MiB (usually 610 MiB)',
  signals: ['memory'],
  severity: 'info',
  score: 0.91,
  detectedAt: NOW - 20 * MINUTE,
});

export const cartForecast = anomaly({
  service: 'cart',
  kind: 'predictive',
  summary: 'cart memory reaches its limit (1.00 GiB) in about 3 h',
  signals: ['memory'],
  severity: 'warning',
  detectedAt: NOW - 2 * MINUTE,
});

export const paymentDeploy: RecentChange = {
  service: 'payment',
  kind: 'deploy',
  description: 'payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)',
  at: NOW - 25 * MINUTE,
};

export const orderScale: RecentChange = {
  service: 'order-service',
  kind: 'scale',
  description: 'order-service 3 → 5 replicas',
  at: NOW - 40 * MINUTE,
};

export function doneAnswer(overrides: Partial<Answer> = {}): Answer {
  return {
    question: 'why is order-service slow?',
    services: ['order-service'],
    stage: 'done',
    steps: ['Read the catalogue: order-service depends on payment and database', 'Checked 6 signals of order-service and its dependencies'],
    conclusion: 'database: latency_p95 185 ms (usually 9 ms)',
    suspect: 'database',
    // Deliberately not in severity order: the builder sorts.
    servicesInAnomaly: [
      { service: 'payment', anomalies: [paymentMemory] },
      { service: 'order-service', anomalies: [orderLatency] },
      { service: 'database', anomalies: [databaseLatency] },
    ],
    recentChanges: [orderScale, paymentDeploy],
    suggestions: ['Look for slow queries on database', 'If the load came with payment 2.5.0, roll it back'],
    method: 'deterministic',
    ...overrides,
  };
}

export function incidentSummary(overrides: Partial<IncidentSummary> & Pick<IncidentSummary, 'id' | 'services'>): IncidentSummary {
  return {
    status: 'open',
    severity: 'warning',
    flapping: false,
    origin: overrides.services[0],
    firingAlerts: 1,
    totalAlerts: 1,
    firstSeen: NOW - 5 * MINUTE,
    lastSeen: NOW - MINUTE,
    ...overrides,
  };
}

/** Started at the database, spread to order-service; acknowledged, its root message posted. */
export const databaseIncident = incidentSummary({
  id: 'INC-7',
  services: ['database', 'order-service'],
  origin: 'database',
  severity: 'critical',
  firingAlerts: 2,
  totalAlerts: 3,
  firstSeen: NOW - 6 * MINUTE,
  acknowledgedBy: 'U0CAROL',
  message: { channel: 'C0PLATFORM', ts: '1746541440.000100' },
});

export const paymentIncident = incidentSummary({ id: 'INC-5', services: ['payment'], severity: 'info', firstSeen: NOW - 20 * MINUTE });

/** An Alertmanager alert on a service detection finds healthy. */
export const frontendIncident = incidentSummary({ id: 'INC-9', services: ['frontend'], severity: 'warning', firstSeen: NOW - 2 * MINUTE, flapping: true });

export const resolvedCartIncident = incidentSummary({
  id: 'INC-3',
  services: ['cart'],
  status: 'resolved',
  firingAlerts: 0,
  firstSeen: NOW - 3 * 60 * MINUTE,
  resolvedAt: NOW - 2 * 60 * MINUTE,
  resolvedBy: 'U0DAVE',
  message: { channel: 'C0STORE', ts: '1746533400.000200' },
});

export function estate(overrides: Partial<EstateStatus> = {}): EstateStatus {
  return {
    generatedAt: NOW - MINUTE,
    services: [
      { service: 'cart', team: 'storefront', channel: '#storefront', healthy: true, anomalies: [] },
      { service: 'payment', team: 'payments', channel: 'C0123ABCDEF', healthy: false, anomalies: [paymentMemory] },
      { service: 'database', team: 'platform', channel: '#platform', healthy: false, anomalies: [databaseLatency] },
      { service: 'order-service', team: 'orders', channel: '#orders', healthy: false, anomalies: [orderLatency] },
      { service: 'frontend', team: 'storefront', channel: '#storefront', healthy: true, anomalies: [] },
    ],
    incidents: [paymentIncident, databaseIncident, frontendIncident],
    pendingApprovals: [{ id: 'approval-1', service: 'order-service', action: 'scale order-service to 6 replicas', requestedAt: NOW - 3 * MINUTE }],
    recentActions: [
      { id: 'action-1', service: 'payment', action: 'rollout restart payment', outcome: 'succeeded, error rate back to 0.4%', at: NOW - 50 * MINUTE },
      { id: 'action-2', service: 'cart', action: 'scale cart to 4 replicas', outcome: 'succeeded', at: NOW - 10 * MINUTE },
    ],
    ...overrides,
  };
}

/** `count` distinct services, each in anomaly: the alert-storm case. */
export function manyAnomalies(count: number): Anomaly[] {
  return Array.from({ length: count }, (_, index) =>
    anomaly({
      service: `service-${String(index).padStart(3, '0')}`,
      summary: `service-${String(index).padStart(3, '0')}: error_rate 12.0% errors (usually 0.4% errors), latency_p95 1.20 s (usually 90 ms)`,
      severity: index % 3 === 0 ? 'critical' : index % 3 === 1 ? 'warning' : 'info',
      detectedAt: NOW - index * 1000,
    }),
  );
}
