import { formatQuantity } from '../../forecast/predictive-alert.js';
import type { Signal } from '../../sources/signals.js';
import { formatNumber } from './series-statistics.js';

/** What each standard signal measures, so the model reads units, not bare numbers (see signals.ts). */
export const SIGNAL_MEANINGS: Record<Signal, string> = {
  cpu: 'CPU in use, cores summed over pods',
  memory: 'working-set memory summed over pods',
  request_rate: 'requests per second',
  error_rate: 'share of requests that failed',
  latency_p95: '95th percentile request latency',
  restarts: 'container restarts per minute, summed over pods',
};

/** A value of a standard signal with its unit: "0.42 cores", "612 MiB", "35.1 req/s", "4.2%", "850 ms", "2/min". */
export function formatSignalValue(signal: Signal, value: number): string {
  switch (signal) {
    case 'cpu':
      return formatQuantity(value, 'cores');
    case 'memory':
      return formatQuantity(value, 'bytes');
    case 'request_rate':
      return `${formatNumber(value)} req/s`;
    case 'error_rate':
      return `${formatNumber(value * 100)}%`;
    case 'latency_p95':
      return value < 1 ? `${formatNumber(value * 1000)} ms` : `${formatNumber(value)} s`;
    case 'restarts':
      return `${formatNumber(value)}/min`;
  }
}
