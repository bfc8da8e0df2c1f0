import { formatQuantity, type QuantityUnit } from './format-quantity.js';

/** One observation of a signal or any series; `timestamp` is milliseconds since the Unix epoch. */
export interface Sample {
  timestamp: number;
  value: number;
}

/**
 * The standard signals every catalogued service has. Units are fixed so that detectors,
 * forecasts and the simulated world agree without conversion:
 * - cpu: cores in use, summed over the service's pods
 * - memory: working-set bytes, summed over the service's pods
 * - request_rate: requests per second served by the service
 * - error_rate: fraction of requests that failed (0..1)
 * - latency_p95: 95th percentile request latency in seconds
 * - restarts: container restarts during the query step, summed over the service's pods
 */
export const SIGNALS = ['cpu', 'memory', 'request_rate', 'error_rate', 'latency_p95', 'restarts'] as const;

export type Signal = (typeof SIGNALS)[number];

export function isSignal(name: string): name is Signal {
  return (SIGNALS as readonly string[]).includes(name);
}

/** The unit each signal's values come in (see above): what formatSignalValue writes them in. */
export const SIGNAL_UNITS: Readonly<Record<Signal, QuantityUnit>> = {
  cpu: 'cores',
  memory: 'bytes',
  request_rate: 'requests-per-second',
  error_rate: 'ratio',
  latency_p95: 'seconds',
  restarts: 'restarts-per-minute',
};

/** What each signal measures, in words, for a reader (or a model) who sees the number. */
export const SIGNAL_MEANINGS: Readonly<Record<Signal, string>> = {
  cpu: 'CPU in use, cores summed over pods',
  memory: 'working-set memory summed over pods',
  request_rate: 'requests per second',
  error_rate: 'share of requests that failed',
  latency_p95: '95th percentile request latency',
  restarts: 'container restarts per minute, summed over pods',
};

/** A value of a standard signal in its unit: "0.42 cores", "612 MiB", "35.1 req/s", "4.2%", "850 ms", "2 restarts/min". */
export function formatSignalValue(signal: Signal, value: number): string {
  return formatQuantity(value, SIGNAL_UNITS[signal]);
}

/**
 * What a change in each signal says about a service. Symptoms are the service failing (what its
 * callers and users feel, or its containers dying); load is how much it is asked to do; resources
 * are what it spends doing it, and follow the load. A fault passes symptoms up the call graph
 * (callers wait and fail) but load down it (a surge at a caller is a surge at its dependencies),
 * which is why correlation tells them apart.
 */
export const SYMPTOM_SIGNALS: readonly Signal[] = ['error_rate', 'latency_p95', 'restarts'];
export const LOAD_SIGNALS: readonly Signal[] = ['request_rate'];
export const RESOURCE_SIGNALS: readonly Signal[] = ['cpu', 'memory'];

/**
 * Whether these anomalous signals only say the service is asked to do more (or less) than usual:
 * its request rate changed and nothing else did but the resources that follow it. Such a service
 * is busy, not failing.
 */
export function describesLoadOnly(signals: readonly Signal[]): boolean {
  return signals.some((signal) => LOAD_SIGNALS.includes(signal)) && signals.every((signal) => LOAD_SIGNALS.includes(signal) || RESOURCE_SIGNALS.includes(signal));
}
