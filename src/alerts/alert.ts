import type { Anomaly } from '../detection/anomaly.js';
import type { AlertSeverity } from '../severity.js';
import { isSignal, type Signal } from '../signals.js';
import { anomalyFingerprint } from './fingerprint.js';

export type AlertSource = 'alertmanager' | 'detector';
export type AlertStatus = 'firing' | 'resolved';

/**
 * The Alertmanager notification an alert came in: its group, as Alertmanager's `route.group_by`
 * cut it. Correlation keeps a group's alerts together (the group is the smallest unit) and names
 * uncatalogued incidents by the group's labels; the message links back to the group.
 */
export interface AlertGroup {
  /** Alertmanager's `groupKey`: identifies the group across notifications (and across an HA pair). */
  key: string;
  /** The `groupLabels`: the values of `group_by` shared by every alert of the group, e.g. `{ service: 'probe-svc-3' }`. */
  labels: Record<string, string>;
  /** The webhook's `receiver`, for the link to the group. */
  receiver: string;
  /** Alertmanager's `externalURL`, where people can see the group; absent when not sent. */
  externalURL?: string;
  /** Alerts of the group Alertmanager left out of this notification (`max_alerts`); 0 when none. */
  truncatedAlerts: number;
  /**
   * The notification's own status: 'resolved' when every alert it carries has resolved. With none
   * left out, that is the whole group, including alerts whose resolve an earlier cut withheld.
   * Absent: not known.
   */
  status?: AlertStatus;
  /**
   * The fingerprints of every alert of a notification that resolved its whole group (status
   * resolved, nothing left out); absent otherwise. One array shared by the notification's alerts.
   */
  resolvedMembers?: readonly string[];
}

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
  /** The Alertmanager group it was delivered in; absent for our detectors' alerts. */
  group?: AlertGroup;
  /** Where its source draws it, e.g. the Prometheus graph of the rule (Alertmanager's `generatorURL`). */
  generatorURL?: string;
  /** What to do about it: the rule's `runbook_url` annotation (the Prometheus community's name for it). */
  runbookURL?: string;
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
