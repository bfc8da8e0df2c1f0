/**
 * Whether a metric measures a service's own resources (a cause can start there) or what its users
 * feel (latency, errors, request rate). Symptoms rise at every caller of a faulty service too, so
 * they are weaker evidence that the service itself is the cause.
 */
export type MetricRole = 'resource' | 'symptom';

/** Latency percentiles, durations, errors and traffic: felt along the call path, not only at the cause. */
const SYMPTOM_NAME = /(^|[_\-.])(lat|latency|duration|response|rt|p\d{2,3}|error|errors|err|lod|load|rate|rps|qps|requests?|throughput|traffic|status)($|[_\-.\d])/i;

export function metricRole(metric: string): MetricRole {
  return SYMPTOM_NAME.test(metric) ? 'symptom' : 'resource';
}
