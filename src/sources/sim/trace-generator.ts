import type { Span } from '../traces.js';
import { callersOf, estateProfile } from './estate.js';
import { gaussian, hashKey, uniform } from './random.js';
import { HOP_LAG_MILLISECONDS, type SimWorld } from './world.js';

/** Spread of one request's own time around the service's median (log-normal sigma, as the world's latency). */
const SELF_TIME_SIGMA = 0.45;
/** Callers retry some failed calls; this share of a callee's failures fails the caller too (the world's own share). */
const PROPAGATED_ERROR_SHARE = 0.8;
/** A service's own time is never less than this share of its median: handlers always do some work. */
const MINIMUM_SELF_SHARE = 0.1;

/** What each service's handlers are called in its spans: what a real estate's instrumentation names. */
const OPERATIONS: Record<string, string> = {
  frontend: 'GET /',
  checkout: 'POST /checkout',
  'order-service': 'POST /orders',
  payment: 'POST /charges',
  cart: 'GET /cart',
  catalogue: 'GET /products',
  shipping: 'POST /quotes',
  user: 'GET /users/{id}',
  database: 'SELECT',
  cache: 'GET',
};

export function operationOf(service: string): string {
  return OPERATIONS[service] ?? 'handle';
}

/**
 * Where a request through `service` entered the estate, and the services it passed on the way:
 * `[entry, …, service]`. Each hop up is one of the callers (or outside traffic, for a service that
 * takes it), chosen by the keyed randomness, so the same trace key always takes the same path.
 */
export function pathTo(service: string, seed: number, key: string): string[] {
  const path = [service];
  for (let current = service; ; ) {
    const profile = estateProfile(current);
    const callers = callersOf(current);
    const takesOutsideTraffic = profile !== undefined && (profile.externalPeakRate > 0 || callers.length === 0);
    const choices = [...callers, ...(takesOutsideTraffic ? [''] : [])];
    const choice = choices[Math.floor(uniform(seed, 'trace-path', key, current) * choices.length)];
    if (!choice || path.includes(choice)) return path;
    path.unshift(choice);
    current = choice;
  }
}

/**
 * The spans of one request entering `path[0]` at `time` and passing through every service of
 * `path`, as the world stands then: each service's own time is what its median latency leaves after
 * waiting on its dependencies, its own failures come at its own error rate, and a failed or timed-out
 * call fails the caller as often as the world's propagation says. So the faulty service's spans are
 * the slow or failing ones, and its callers' spans are slow or failing because of them.
 */
export function traceSpans(world: SimWorld, path: readonly string[], time: number, key: string): Span[] {
  const traceId = hexIdentifier(world.seed, 'trace', key, 4);
  const spans: Span[] = [];
  let counter = 0;

  const visit = (service: string, start: number, parentSpanId: string | undefined, through: readonly string[]): Span => {
    const index = counter++;
    const spanId = hexIdentifier(world.seed, `${key}|${index}`, 'span', 2);
    const profile = world.profile(service);
    const snapshot = world.snapshot(service, start);
    const span: Span = { traceId, spanId, ...(parentSpanId ? { parentSpanId } : {}), service, operation: operationOf(service), start, durationMilliseconds: 0, error: false };
    spans.push(span);
    // Nothing is listening while every pod is down: the request is refused at once and calls nobody.
    const serving = snapshot.readyReplicas > 0;
    let cursor = start;
    let childFailed = false;
    let expectedWait = 0;
    for (const [dependency, callsPerRequest] of Object.entries(profile.calls)) {
      if (!serving) break;
      const dependencyProfile = world.profile(dependency);
      const lagged = world.snapshot(dependency, start - HOP_LAG_MILLISECONDS);
      expectedWait += callsPerRequest * Math.min(lagged.latencyMedianSeconds, dependencyProfile.callerTimeoutSeconds) * 1000;
      const whole = Math.floor(callsPerRequest);
      let calls = whole + (uniform(world.seed, 'trace-calls', key, index, dependency) < callsPerRequest - whole ? 1 : 0);
      if (through[0] === dependency) calls = Math.max(calls, 1);
      for (let call = 0; call < calls; call += 1) {
        const child = visit(dependency, cursor, spanId, call === 0 && through[0] === dependency ? through.slice(1) : []);
        const timeout = dependencyProfile.callerTimeoutSeconds * 1000;
        if (child.durationMilliseconds > timeout) {
          // The caller gave up: as far as this request goes, the call took the timeout and failed.
          child.durationMilliseconds = timeout;
          child.error = true;
        }
        cursor += child.durationMilliseconds;
        if (child.error && uniform(world.seed, 'trace-propagate', key, index, dependency, call) < PROPAGATED_ERROR_SHARE) childFailed = true;
      }
    }
    const median = snapshot.latencyMedianSeconds * 1000;
    const selfMedian = Math.max(MINIMUM_SELF_SHARE * median, median - expectedWait);
    const self = selfMedian * Math.exp(SELF_TIME_SIGMA * gaussian(world.seed, 'trace-self', key, index));
    span.durationMilliseconds = cursor - start + self;
    // A service failing because its dependencies do fails through the children above; its own share is its base rate then.
    const ownErrorRate = !serving ? 1 : snapshot.upstream?.kind === 'errors' ? profile.baseErrorRate : snapshot.errorRate;
    span.error = childFailed || uniform(world.seed, 'trace-error', key, index) < ownErrorRate;
    return span;
  };

  visit(path[0]!, time, undefined, path.slice(1));
  return spans;
}

/** A keyed identifier of `words` 32-bit words in hex, as Jaeger's trace (128-bit) and span (64-bit) ids look. */
function hexIdentifier(seed: number, key: string, kind: string, words: number): string {
  let identifier = '';
  for (let word = 0; word < words; word += 1) identifier += hashKey(seed, kind, key, word).toString(16).padStart(8, '0');
  return identifier;
}
