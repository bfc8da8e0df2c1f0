/**
 * Whether a metric measures a service's own resources (a cause can start there) or what its users
 * feel (latency, errors, request rate). Symptoms rise at every caller of a faulty service too, so
 * they are weaker evidence that the service itself is the cause.
 */
export type MetricRole = 'resource' | 'symptom';

/**
 * Which way a metric moves when something is wrong: latency and errors go up, availability and
 * success go down. An availability that rises from 97% to 100% is an improvement, not a fault.
 * `either` for metrics whose every move may matter: resources (a hog raises CPU, a dead process
 * drops it) and traffic (a drop means requests fail upstream, a surge can be the cause itself).
 */
export type MetricDirection = 'up' | 'down' | 'either';

/** Latency percentiles, durations, errors and traffic: felt along the call path, not only at the cause. */
const SYMPTOM_NAME = /(^|[_\-.])(lat|latency|duration|response|rt|p\d{2,3}|error|errors|err|lod|load|rate|rps|qps|requests?|throughput|traffic|status|availability|avail|success|succ|apdex|uptime)($|[_\-.\d])/i;
/** Good when high: a fall is the fault. Matched before the rising kinds ("success_rate" is not an error rate). */
const FALLS_WHEN_BAD = /(^|[_\-.])(availability|avail|success|succ|successful|apdex|uptime|healthy|up)($|[_\-.\d])/i;
/** Bad when high. */
const RISES_WHEN_BAD = /(^|[_\-.])(lat|latency|duration|response|rt|p\d{2,3}|error|errors|err|fail|failed|failures?|timeouts?|restarts?|5xx|4xx|drops?|dropped|retries|queue|backlog|lag)($|[_\-.\d])/i;

export function metricRole(metric: string): MetricRole {
  return SYMPTOM_NAME.test(metric) ? 'symptom' : 'resource';
}

export function metricDirection(metric: string): MetricDirection {
  if (FALLS_WHEN_BAD.test(metric)) return 'down';
  if (RISES_WHEN_BAD.test(metric)) return 'up';
  return 'either';
}

/** What a metric measures, so evidence can be matched like with like: a callee's errors become its callers' errors, its slowness their slowness. */
export type MetricKind = 'latency' | 'errors' | 'traffic' | 'resource';

const LATENCY_NAME = /(^|[_\-.])(lat|latency|duration|response|rt|p\d{2,3}|timeouts?)($|[_\-.\d])/i;
const ERRORS_NAME = /(^|[_\-.])(error|errors|err|fail|failed|failures?|5xx|4xx|availability|avail|success|succ|successful|apdex|uptime|status)($|[_\-.\d])/i;
const TRAFFIC_NAME = /(^|[_\-.])(lod|load|rate|rps|qps|requests?|throughput|traffic)($|[_\-.\d])/i;

export function metricKind(metric: string): MetricKind {
  if (ERRORS_NAME.test(metric)) return 'errors';
  if (LATENCY_NAME.test(metric)) return 'latency';
  if (TRAFFIC_NAME.test(metric)) return 'traffic';
  return 'resource';
}
