import type { Anomaly } from '../detection/anomaly.js';
import { isSignal, type Signal } from '../sources/signals.js';
import { anomalyFingerprint } from './fingerprint.js';

export type AlertSource = 'alertmanager' | 'detector';
export type AlertStatus = 'firing' | 'resolved';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** Severities from least to most urgent: the index is the rank that escalation compares. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

/**
 * One alert as the pipeline sees it, whichever system raised it. Times are milliseconds since
 * the epoch. Plain data: it travels through queues and Redis as JSON.
 */
export interface Alert {
  /** Stable identity of the alert across deliveries: the same condition has the same fingerprint. */
  fingerprint: string;
  source: AlertSource;
  status: AlertStatus;
  /** The alert's name, e.g. Alertmanager's `alertname` label. */
  name: string;
  /** The catalogued service it concerns; undefined when no label names one (routed to a default later). */
  service?: string;
  severity: AlertSeverity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When the condition began, as its source reports it. */
  startsAt: number;
  /** When the condition ended; set on resolved alerts, undefined while it goes on. */
  endsAt?: number;
  /**
   * When this delivery reached us. Kept apart from startsAt because an alert firing for hours is
   * redelivered with its old startsAt, and correlation windows are about recent activity.
   */
  receivedAt: number;
  /** One line for people. */
  summary: string;
}

/** The more urgent of two severities. */
export function maximumSeverity(left: AlertSeverity, right: AlertSeverity): AlertSeverity {
  return severityRank(left) >= severityRank(right) ? left : right;
}

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

/**
 * Our detectors' findings as alerts. Detectors only ever report that something is wrong, never
 * that it stopped: the alert is firing, and correlation ends it when it stops being reported.
 * The detection time stands for both the start and the delivery, so no clock is read here.
 */
export function alertFromAnomaly(anomaly: Anomaly): Alert {
  const signals = [...new Set(anomaly.signals)].sort();
  const name = anomaly.kind === 'predictive' ? 'PredictedExhaustion' : 'AnomalyDetected';
  return {
    fingerprint: anomalyFingerprint(anomaly),
    source: 'detector',
    status: 'firing',
    name,
    service: anomaly.service,
    severity: anomaly.severity,
    labels: { alertname: name, service: anomaly.service, kind: anomaly.kind, signals: signals.join(','), severity: anomaly.severity },
    annotations: {
      summary: anomaly.summary,
      anomalyId: anomaly.id,
      score: String(anomaly.score),
      evidenceStart: isoTime(anomaly.evidence.start),
      evidenceEnd: isoTime(anomaly.evidence.end),
    },
    startsAt: anomaly.detectedAt,
    receivedAt: anomaly.detectedAt,
    summary: anomaly.summary,
  };
}

/**
 * The signals our detectors found anomalous, from the `signals` label alertFromAnomaly writes.
 * Undefined for Alertmanager's alerts: a rule's labels say nothing reliable about which of our
 * signals it watches, and correlation treats that as "may be failing".
 */
export function signalsOf(alert: Pick<Alert, 'source' | 'labels'>): Signal[] | undefined {
  if (alert.source !== 'detector' || alert.labels.signals === undefined) return undefined;
  return alert.labels.signals.split(',').filter(isSignal);
}

/** An annotation is for people, so a time reads as ISO 8601; a broken number stays visible rather than throwing. */
function isoTime(milliseconds: number): string {
  return Number.isFinite(milliseconds) ? new Date(milliseconds).toISOString() : String(milliseconds);
}
