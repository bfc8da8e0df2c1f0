/**
 * What the root-cause engine reads and returns. Pure data: the live collector (sources, Redis)
 * and the offline `aiops rca` command both build a RootCauseInput, and nothing in src/rca/ does I/O.
 * Times are milliseconds since the Unix epoch throughout.
 */

import type { QuantityUnit } from '../format-quantity.js';

/** One metric of one service, sampled before and during the incident. */
export interface MetricSeries {
  service: string;
  /** As named in the source: `cpu`, `latency_p95`, `lat_90`, `mem`… */
  metric: string;
  /** Ascending sample times; the same length as `values`. */
  timestamps: number[];
  /** NaN marks a missing sample. */
  values: number[];
  /** What the values measure, when known (the live sources' standard signals): evidence then writes "26.4%", not "0.264". */
  unit?: QuantityUnit;
}

/** Something done to a service: the first suspect in most incidents. */
export interface ChangeContext {
  service: string;
  kind: 'deploy' | 'rollback' | 'restart' | 'scale' | 'config';
  at: number;
  /** One line, e.g. "payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)". */
  description: string;
}

/** A Kubernetes event about a service's pods or deployment (OOMKilled, BackOff, FailedScheduling, Unhealthy…). */
export interface EventContext {
  service: string;
  reason: string;
  at: number;
  count: number;
  message: string;
}

/** A log finding: a template never seen before, a burst of a known one, errors with a metric anomaly. */
export interface LogContext {
  service: string;
  kind: 'new-template' | 'burst' | 'error-with-anomaly';
  at: number;
  /** Error or fatal level. */
  error: boolean;
  template: string;
  count: number;
}

export interface RootCauseInput {
  series: MetricSeries[];
  /** When the incident started: samples before it are the normal period. */
  anomalyStart: number;
  /** Last sample of the anomalous period; later samples are ignored (default: the end of the data). */
  anomalyEnd?: number;
  /** Only samples at or after this count as the normal period (default: the start of the data). */
  normalStart?: number;
  /**
   * Samples after anomalyEnd are fault-free reference data recorded later and join the normal period
   * (default false: they are ignored). Offline case sets record such data (`../shared/datasets/rca/README.md`).
   */
  normalAfterEnd?: boolean;
  /** Call graph edges [caller, callee], when known. */
  graph?: Array<[string, string]>;
  /** The symptom the incident was raised on, when known. */
  symptom?: { service: string; metric?: string };
  changes?: ChangeContext[];
  events?: EventContext[];
  logs?: LogContext[];
}

export type EvidenceKind = 'metric' | 'change' | 'event' | 'log' | 'graph';

export interface RootCauseEvidence {
  kind: EvidenceKind;
  /** One line for people: "cpu 0.92 cores (normally 0.21 cores), robust z 6.1, from 14:02:10 UTC". */
  summary: string;
  /** What this piece added to the service's score. */
  weight: number;
  metric?: string;
  /** When the signal moved (first anomalous sample), or when the change/event/log happened. */
  at?: number;
  /** Metric evidence: the normal level (median), the anomalous level, and the robust z-score. */
  normal?: number;
  observed?: number;
  zScore?: number;
}

export interface RankedCause {
  service: string;
  /** Higher is more likely; comparable within one ranking only. */
  score: number;
  /** Strongest first. */
  evidence: RootCauseEvidence[];
}

export interface RootCauseRanking {
  /** Best first; every service with data appears once. */
  ranking: RankedCause[];
}
