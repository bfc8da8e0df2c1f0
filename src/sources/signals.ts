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
