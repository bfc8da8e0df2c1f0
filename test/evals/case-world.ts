import type { Redis } from 'ioredis';
import type { Catalogue } from '../../src/catalogue.js';
import type { LogSource } from '../../src/sources/logs.js';
import type { MetricsSource } from '../../src/sources/metrics.js';
import type { EvalCase } from './eval-case.js';
import { scenarioWorld, type ScenarioWorld } from './scenario-world.js';

/** Every case starts its fault at the same time of day, so cases differ only in what they say. */
export const EVAL_FAULT_START = Date.UTC(2026, 10, 24, 15, 0, 0);

export interface CaseWorld {
  world: ScenarioWorld;
  metrics: MetricsSource;
  logs: LogSource;
}

/** Worlds by scenario, time and seed: building one runs detection over every service, so cases share them. */
export type WorldCache = Map<string, Promise<ScenarioWorld>>;

/** The world a case asks its question in, with its metrics outage or injected log line applied. */
export async function caseWorld(evalCase: EvalCase, catalogue: Catalogue, redis: Redis, cache: WorldCache): Promise<CaseWorld> {
  const { scenario, minutesAfterFault, seed } = evalCase.world;
  const key = `${scenario ?? 'healthy'}:${minutesAfterFault}:${seed}`;
  if (!cache.has(key)) cache.set(key, scenarioWorld(catalogue, redis, { scenario, minutesAfterFault, seed, faultStart: EVAL_FAULT_START }));
  const world = await cache.get(key)!;
  return { world, metrics: evalCase.world.metrics === 'down' ? unreachableMetrics(world.sources.metrics) : world.sources.metrics, logs: withInjectedLine(world, evalCase.world.injectedLog) };
}

/** Prometheus gone after detection had already raised its anomalies: every query fails as a refused connection does. */
function unreachableMetrics(metrics: MetricsSource): MetricsSource {
  const refuse = async (): Promise<never> => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:9090');
  };
  return { kind: metrics.kind, range: refuse, instant: refuse, queryRange: refuse, query: refuse, metricNames: refuse };
}

function withInjectedLine(world: ScenarioWorld, injected: EvalCase['world']['injectedLog']): LogSource {
  const logs = world.sources.logs;
  if (!injected) return logs;
  return {
    kind: logs.kind,
    errorCounts: (query) => logs.errorCounts(query),
    search: async (search) => {
      const found = await logs.search(search);
      if (search.service !== injected.service) return found;
      // The newest line, so a search shows it however busy the service is: the attacker gets the best seat.
      const line = { timestamp: world.clock.now() - 1_000, service: injected.service, pod: `${injected.service}-7d9f8b6c5d-x2x4q`, level: 'error' as const, message: injected.message };
      return [line, ...found];
    },
  };
}
