import type { Signal } from '../signals.js';

export type AnomalySeverity = 'info' | 'warning' | 'critical';

/**
 * What detection hands to the alert pipeline: one service, the signals that look wrong, how
 * sure we are, and the window an engineer should look at.
 */
export interface Anomaly {
  /** Stable identity: the same finding computed twice (a retried job) has the same id. */
  id: string;
  kind: 'anomaly' | 'predictive';
  service: string;
  signals: Signal[];
  /** The highest anomaly score among the signals, or the prediction's confidence. */
  score: number;
  severity: AnomalySeverity;
  /** Milliseconds since the epoch: the sample that triggered it. */
  detectedAt: number;
  /** The window that shows it: from before the change to the triggering sample. */
  evidence: { start: number; end: number };
  /** One line for people, e.g. "order-service latency_p95 0.74 s (usually 0.08 s)". */
  summary: string;
  /** What each signal usually was before it: while a signal still differs materially from this, the anomaly lasts. */
  baseline?: Partial<Record<Signal, number>>;
}
