import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Catalogue } from '../../src/catalogue.js';
import { detectionPass } from '../../src/commands/detection-pass.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources, type SimulatedSources } from '../../src/sources/sim/simulated-world.js';
import type { AnomalyLog } from '../../src/state/anomaly-log.js';
import { createStores } from '../../src/state/stores.js';

export interface ScenarioWorldOptions {
  /** A fault scenario (`aiops sim list`), or none for a healthy estate. */
  scenario?: string;
  /** Minutes between the fault's start and the question. */
  minutesAfterFault: number;
  /** When the fault starts, ms since the epoch. */
  faultStart: number;
  seed?: number;
}

export interface ScenarioWorld {
  sources: SimulatedSources;
  clock: ManualClock;
  anomalies: AnomalyLog;
  prefix: string;
  /** Deletes the world's keys from Redis. */
  cleanUp(): Promise<void>;
}

/**
 * The simulated world at the moment of a question, with the anomalies the product's own detection
 * raised by then: every service trained and scored as the scheduler would, so an answer rests on
 * what detection really found, not on anomalies written for the test.
 */
export async function scenarioWorld(catalogue: Catalogue, redis: Redis, options: ScenarioWorldOptions): Promise<ScenarioWorld> {
  const prefix = `eval:${randomUUID()}:`;
  const clock = new ManualClock(options.faultStart + options.minutesAfterFault * 60_000);
  const sources = createSimulatedSources(catalogue, { clock, seed: options.seed ?? 21, scenario: options.scenario, faultStart: options.faultStart });
  const stores = createStores(redis, prefix, { catalogue });
  const anomalies = stores.anomalies;
  await detectionPass({ catalogue, metrics: sources.metrics, cluster: sources.cluster, stores, now: () => clock.now(), logger: silentLogger(), emitWindowMinutes: options.minutesAfterFault + 5 });
  return {
    sources,
    clock,
    anomalies,
    prefix,
    cleanUp: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    },
  };
}
