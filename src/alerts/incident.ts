/* The incident as plain data: what correlation computes, the store keeps and Slack renders. */
import type { Signal } from '../signals.js';
import type { AlertSeverity } from '../severity.js';
import type { AlertSource, AlertStatus } from './alert.js';

/** One alert inside an incident: its latest state, and enough history to judge flapping. */
export interface IncidentAlert {
  fingerprint: string;
  source: AlertSource;
  name: string;
  service?: string;
  /** What a service-less alert outside any Alertmanager group groups by: its name and the group labels (see CorrelationOptions). */
  groupKey: string;
  /** The Alertmanager group (groupKey) it last came in; absent for our detectors' alerts. */
  group?: string;
  /** Where its source draws it (Alertmanager's generatorURL). */
  generatorURL?: string;
  /** What to do about it (the rule's `runbook_url` annotation). */
  runbookURL?: string;
  /** Its values of the labels the catalogue's correlation rules compare; absent when no rule names them. */
  correlationLabels?: Record<string, string>;
  /** The signals our detectors found anomalous; undefined for Alertmanager's alerts (see signalsOf). */
  signals?: Signal[];
  status: AlertStatus;
  severity: AlertSeverity;
  /** Start of the current episode, as the source reports it. */
  startsAt: number;
  /** End of the latest episode; a firing alert keeps none. */
  endsAt?: number;
  /** When a delivery of this alert first and last reached us. */
  firstSeen: number;
  lastSeen: number;
  summary: string;
  /** Times of firing/resolved changes (the first firing included) inside the flapping window, oldest first. */
  transitions: number[];
}

/** An incident as plain data: what the store keeps and Slack renders. */
export interface Incident {
  id: string;
  status: 'open' | 'resolved';
  /** Set once one of its alerts flaps; a flapping incident stays open until the alerts calm down. */
  flapping: boolean;
  /** The catalogued services of its alerts, sorted. */
  services: string[];
  /** The likely origin: the affected service that none of the other affected services sit beneath. */
  origin?: string;
  /** The most urgent severity among its firing alerts (the last one seen when none fires). */
  severity: AlertSeverity;
  /** Its alerts by fingerprint. */
  alerts: Record<string, IncidentAlert>;
  firstSeen: number;
  lastSeen: number;
  resolvedAt?: number;
  /** The Slack user who resolved it by hand (see resolveIncident); cleared when it reopens. */
  resolvedBy?: string;
  /** The Alertmanager groups its alerts came in, by groupKey, as their latest notification described them. */
  groups?: Record<string, IncidentGroup>;
  /** Set when an alert bridged it with an older incident: it was closed and its alerts moved there. */
  mergedInto?: string;
  /** The incidents merged into this one, in the order they were. */
  mergedFrom?: string[];
}

/** An Alertmanager group as an incident remembers it: what names it, and what links to it. */
export interface IncidentGroup {
  /** The group's `groupLabels`, e.g. `{ service: 'probe-svc-3' }`. */
  labels: Record<string, string>;
  receiver: string;
  externalURL?: string;
  /** Alerts of the group Alertmanager left out of its latest notification (`max_alerts`). */
  truncatedAlerts: number;
}

/**
 * A resolve that arrived before any firing of its alert. Remembering its end is what stops the
 * late firing (another Alertmanager replica, a retried delivery) from opening a phantom alert.
 */
export interface Tombstone {
  fingerprint: string;
  /** Who sent the resolve: it holds back only that source's alert. Absent in tombstones stored before it was kept. */
  source?: AlertSource;
  endsAt: number;
  receivedAt: number;
}

/** Everything correlation needs to remember between alerts. */
export interface CorrelationState {
  incidents: Incident[];
  tombstones: Tombstone[];
}

/** 'merged': the incident was closed into another (mergedInto); 'absorbed': it took another in (mergedFrom). */
export type IncidentChangeKind = 'opened' | 'joined' | 'updated' | 'duplicate' | 'escalated' | 'resolved' | 'flapping' | 'ignored' | 'merged' | 'absorbed';

/** What one alert (or one settling pass) did, for the caller to decide what to post. */
export interface IncidentChange {
  kind: IncidentChangeKind;
  /** The incident concerned; absent only when an alert was ignored before it belonged anywhere. */
  incidentId?: string;
  fingerprint: string;
  /** One line for logs and the incident's thread. */
  reason: string;
  /** The incident's severity after the change. */
  severity?: AlertSeverity;
  /** The incident's severity before the change, when it changed. */
  previousSeverity?: AlertSeverity;
  /** An 'opened' change that brought a recently resolved incident back rather than starting a new one. */
  reopened?: boolean;
  /** A 'merged' change: the incident it was merged into. */
  mergedInto?: string;
  /** An 'absorbed' change: the incident it took in. */
  mergedFrom?: string;
}
