import type { Sample, Signal } from '../signals.js';

export interface Series {
  labels: Record<string, string>;
  samples: Sample[];
}

export interface TimeRange {
  start: Date;
  end: Date;
  /** Resolution of the answer in seconds: samples at start, start + step, … up to end. */
  stepSeconds: number;
}

/**
 * Metrics by service and signal. Implementations render the catalogue's query template for the
 * signal, so callers never write PromQL for the standard signals.
 */
export interface MetricsSource {
  readonly kind: 'prometheus' | 'sim';
  /** One series for the service; gaps where the backend has no data. */
  range(service: string, signal: Signal, range: TimeRange): Promise<Series>;
  /** The latest value at `at` (default: now), or undefined when there is none. */
  instant(service: string, signal: Signal, at?: Date): Promise<number | undefined>;
  /** Raw PromQL over a range: every series the expression returns. */
  queryRange(promql: string, range: TimeRange): Promise<Series[]>;
  /** Raw PromQL at one instant: one sample per returned series. */
  query(promql: string, at?: Date): Promise<Series[]>;
  /** Every metric name the backend holds, sorted: what raw PromQL can be written against. */
  metricNames(): Promise<string[]>;
}
