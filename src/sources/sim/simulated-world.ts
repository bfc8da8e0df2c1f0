import type { Catalogue } from '../../catalogue.js';
import type { Clock } from './clock.js';
import { SimulatedCluster } from './sim-cluster.js';
import { SimulatedLogReader } from './sim-log-reader.js';
import { SimulatedLogs } from './sim-logs.js';
import { SimulatedMetrics } from './sim-metrics.js';
import { SimulatedTraces } from './sim-traces.js';
import { SimWorld, type SimWorldOptions } from './world.js';

export interface SimulatedSources {
  world: SimWorld;
  metrics: SimulatedMetrics;
  logs: SimulatedLogs;
  /** The logs read forward in pages, for log mining. */
  logReader: SimulatedLogReader;
  cluster: SimulatedCluster;
  traces: SimulatedTraces;
}

/**
 * One world behind every interface, so a write through the cluster shows in metrics, logs and traces.
 * Services are found through the catalogue: any catalogued service whose namespace and deployment
 * are the world's has that deployment's metrics and logs.
 */
export function createSimulatedSources(catalogue: Catalogue, options: SimWorldOptions & { clock: Clock }): SimulatedSources {
  const world = new SimWorld(options);
  return {
    world,
    metrics: new SimulatedMetrics(world, catalogue),
    logs: new SimulatedLogs(world, catalogue),
    logReader: new SimulatedLogReader(world, catalogue),
    cluster: new SimulatedCluster(world),
    traces: new SimulatedTraces(world, catalogue),
  };
}
