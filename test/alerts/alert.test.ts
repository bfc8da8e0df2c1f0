import { describe, expect, it } from 'vitest';
import { alertFromAnomaly } from '../../src/alerts/alert.js';
import { maximumSeverity } from '../../src/severity.js';
import { T0, anomaly } from './builders.js';

describe('alertFromAnomaly', () => {
  it('turns a detector finding into a firing alert on its service, timed by its detection', () => {
    const alert = alertFromAnomaly(anomaly('order-service', ['latency_p95', 'error_rate'], T0, 'critical'));
    expect(alert).toMatchObject({
      fingerprint: 'detector/anomaly/order-service/error_rate+latency_p95',
      source: 'detector',
      status: 'firing',
      name: 'AnomalyDetected',
      service: 'order-service',
      severity: 'critical',
      startsAt: T0,
      receivedAt: T0,
      summary: 'order-service: latency_p95, error_rate unusual',
    });
    expect(alert.endsAt).toBeUndefined();
    expect(alert.labels).toEqual({ alertname: 'AnomalyDetected', service: 'order-service', kind: 'anomaly', signals: 'error_rate,latency_p95', severity: 'critical' });
    expect(alert.annotations).toMatchObject({ anomalyId: `order-service:anomaly:${T0}`, evidenceEnd: new Date(T0).toISOString() });
  });

  it('names predictive findings apart from anomalies', () => {
    expect(alertFromAnomaly(anomaly('database', ['memory'], T0, 'warning', 'predictive')).name).toBe('PredictedExhaustion');
  });
});

describe('maximumSeverity', () => {
  it('orders info < warning < critical', () => {
    expect(maximumSeverity('info', 'warning')).toBe('warning');
    expect(maximumSeverity('critical', 'warning')).toBe('critical');
    expect(maximumSeverity('info', 'info')).toBe('info');
  });
});
