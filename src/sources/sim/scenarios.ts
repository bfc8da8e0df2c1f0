import type { ScenarioName } from '../../scenario-names.js';

/**
 * Fault scenarios with a known root cause. A scenario changes its root-cause service only;
 * everything its callers show comes from the world's own propagation (latency and errors flow
 * up the call graph a minute per hop), which is what makes the root cause findable.
 */

export interface FaultEffect {
  /** Multiplies the service's own processing time. */
  latencyMultiplier?: number;
  /** Added to the service's own error rate. */
  addedErrorRate?: number;
  /** Requests per second arriving from outside on top of the usual traffic. */
  addedExternalRate?: number;
  /** Working-set growth per second of container uptime (a leak). */
  leakBytesPerSecond?: number;
  /** The containers exit shortly after starting. */
  crashLoop?: boolean;
  /** Error log lines the root cause writes while the fault lasts; `{}` holes are filled. */
  errorLogTemplates: string[];
  /** Error lines logged per minute on top of those that follow from the error rate. */
  errorLinesPerMinute?: number;
}

/** What ends a scenario: the write that fixes it, applied to the root-cause service. */
export type FixingWrite = 'rollback' | 'rollout-restart' | 'scale';

export interface Scenario {
  name: ScenarioName;
  description: string;
  rootCause: string;
  /** The deploy that introduces the fault, when it is a deploy: a new version at fault start. */
  deploy?: { version: string; changeCause: string };
  /** The write that ends the fault; for a deploy, rolling back to any other revision. */
  fixedBy: FixingWrite;
  /** The remedy an SRE would apply, in words. */
  remedy: string;
  /** The effect on the root cause `elapsedSeconds` after the fault started. */
  effect(elapsedSeconds: number): FaultEffect;
}

/** 0 at the start, 1 after `seconds`, linear between: faults rarely arrive at full strength. */
function ramp(elapsedSeconds: number, seconds: number): number {
  return Math.min(1, Math.max(0, elapsedSeconds / seconds));
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'db-pool-exhaustion',
    description: 'database connections run out (a report query holds them); order-service waits for the pool and gets slow',
    rootCause: 'database',
    fixedBy: 'rollout-restart',
    remedy: 'restart the database connections (rollout restart) and stop the long-running report query',
    effect: (elapsed) => ({
      latencyMultiplier: 1 + 60 * (0.35 + 0.65 * ramp(elapsed, 600)),
      addedErrorRate: 0.04 * ramp(elapsed, 600),
      errorLogTemplates: [
        'FATAL: remaining connection slots are reserved for non-replication superuser connections',
        'FATAL: sorry, too many clients already (max_connections={max})',
        'LOG: duration: {ms} ms statement: SELECT o.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.created_at > $1',
      ],
      errorLinesPerMinute: 20,
    }),
  },
  {
    name: 'bad-deploy',
    description: 'payment 2.5.0 ships a null-pointer bug; a third of charges fail and checkout errors follow',
    rootCause: 'payment',
    deploy: { version: '2.5.0', changeCause: 'deploy payment 2.5.0: new card-token flow' },
    fixedBy: 'rollback',
    remedy: 'roll payment back to the previous revision',
    effect: (elapsed) => ({
      addedErrorRate: 0.35 * (0.5 + 0.5 * ramp(elapsed, 120)),
      errorLogTemplates: [
        'java.lang.NullPointerException: Cannot invoke "CardToken.value()" because "token" is null at com.shop.payment.ChargeService.charge(ChargeService.java:{line})',
        'Charge {id} failed: internal error (500)',
      ],
    }),
  },
  {
    name: 'memory-leak',
    description: 'cart 3.2.0 leaks session objects; memory climbs to the limit and the pods are OOMKilled over and over',
    rootCause: 'cart',
    deploy: { version: '3.2.0', changeCause: 'deploy cart 3.2.0: session cache' },
    fixedBy: 'rollback',
    remedy: 'roll cart back to the previous revision (a rollout restart only buys time)',
    effect: () => ({
      leakBytesPerSecond: 140 * 1024,
      errorLogTemplates: [
        'java.lang.OutOfMemoryError: Java heap space at com.shop.cart.SessionCache.put(SessionCache.java:{line})',
        'GC overhead limit exceeded: {ms} ms in full GC, heap {percent}% full',
      ],
    }),
  },
  {
    name: 'traffic-surge',
    description: 'a partner starts scraping the catalogue API at 700 requests/s; catalogue CPU saturates and the frontend slows',
    rootCause: 'catalogue',
    fixedBy: 'scale',
    remedy: 'scale catalogue out (about twice the replicas) and rate-limit the partner',
    effect: (elapsed) => ({
      addedExternalRate: 700 * (0.4 + 0.6 * ramp(elapsed, 300)),
      errorLogTemplates: ['Request timed out after {ms}ms waiting for a worker thread (queue depth {n})'],
    }),
  },
  {
    name: 'crash-loop',
    description: 'shipping 1.4.0 reads a renamed config key, exits at start and crash-loops; checkout cannot quote shipping',
    rootCause: 'shipping',
    deploy: { version: '1.4.0', changeCause: 'deploy shipping 1.4.0: carrier config from ConfigMap shipping-config' },
    fixedBy: 'rollback',
    remedy: 'roll shipping back to the previous revision (or restore the CARRIER_API_URL key)',
    effect: () => ({
      crashLoop: true,
      errorLogTemplates: [
        'FATAL config: required key CARRIER_API_URL is missing from /etc/shipping/config.yaml',
        'Application startup failed: exiting with code 1',
      ],
      errorLinesPerMinute: 6,
    }),
  },
  {
    name: 'slow-dependency',
    description: 'the cache node degrades (noisy neighbour); cache answers 40x slower and every service using it slows down',
    rootCause: 'cache',
    fixedBy: 'rollout-restart',
    remedy: 'restart cache so it is rescheduled away from the degraded node',
    effect: (elapsed) => ({
      latencyMultiplier: 1 + 60 * (0.4 + 0.6 * ramp(elapsed, 180)),
      errorLogTemplates: ['WARNING: slow command: {ms} ms for GET session:{id}', 'Client connection backlog: {n} pending, latency spike detected'],
      errorLinesPerMinute: 10,
    }),
  },
];

export const DEFAULT_SCENARIO: ScenarioName = 'db-pool-exhaustion';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
