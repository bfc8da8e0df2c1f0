import type { Alert } from '../../src/alerts/alert.js';
import { alertFromAnomaly } from '../../src/alerts/alert.js';
import { applyAlert, type CorrelationOptions, type CorrelationState, type IncidentChange } from '../../src/alerts/correlate.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import type { Anomaly, AnomalySeverity } from '../../src/detection/anomaly.js';
import type { Signal } from '../../src/signals.js';

export const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

/** 2024-05-14 10:00:00 UTC: a fixed origin so every test reads the same clock. */
export const T0 = Date.UTC(2024, 4, 14, 10, 0, 0);
export const MINUTE = 60_000;

export function anomaly(service: string, signals: Signal[], detectedAt: number, severity: AnomalySeverity = 'warning', kind: Anomaly['kind'] = 'anomaly'): Anomaly {
  return {
    id: `${service}:${kind}:${detectedAt}`,
    kind,
    service,
    signals,
    score: 0.97,
    severity,
    detectedAt,
    evidence: { start: detectedAt - 30 * MINUTE, end: detectedAt },
    summary: `${service}: ${signals.join(', ')} unusual`,
  };
}

export function detectorAlert(service: string, signals: Signal[], detectedAt: number, severity: AnomalySeverity = 'warning'): Alert {
  return alertFromAnomaly(anomaly(service, signals, detectedAt, severity));
}

/** An Alertmanager-style alert, already parsed. */
export function managerAlert(fields: Partial<Alert> & Pick<Alert, 'fingerprint' | 'status' | 'startsAt' | 'receivedAt'>): Alert {
  return {
    source: 'alertmanager',
    name: 'HighErrorRate',
    severity: 'warning',
    labels: { alertname: fields.name ?? 'HighErrorRate' },
    annotations: {},
    summary: `${fields.name ?? 'HighErrorRate'} ${fields.status}`,
    ...fields,
  };
}

/** Incident ids in opening order, so two runs over the same alerts name incidents alike. */
export function sequentialIds(): () => string {
  let next = 0;
  return () => `incident-${++next}`;
}

export function emptyState(): CorrelationState {
  return { incidents: [], tombstones: [] };
}

/** Feeds alerts in order through applyAlert; returns the final state and every change (a bridging alert's merges first). */
export function replay(
  alerts: readonly Alert[],
  options: Partial<CorrelationOptions> = {},
  initial: CorrelationState = emptyState(),
  using: Catalogue = catalogue,
): { state: CorrelationState; changes: IncidentChange[] } {
  const settings: CorrelationOptions = { newIncidentId: sequentialIds(), ...options };
  let state = initial;
  const changes: IncidentChange[] = [];
  for (const alert of alerts) {
    const result = applyAlert(state, alert, using, settings);
    state = { incidents: result.incidents, tombstones: result.tombstones };
    changes.push(...(result.merges ?? []), result.change);
  }
  return { state, changes };
}
