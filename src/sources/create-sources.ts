import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Cluster } from './cluster.js';
import { createElasticsearchClient, createElasticsearchLogs } from './elasticsearch/elasticsearch-logs.js';
import { ElasticsearchLogReader } from './elasticsearch/elasticsearch-log-reader.js';
import type { LogReader } from './log-reader.js';
import { SimulatedLogReader } from './sim/sim-log-reader.js';
import { createKubernetesCluster } from './kubernetes/kubernetes-cluster.js';
import type { LogSource } from './logs.js';
import type { MetricsSource } from './metrics.js';
import { PrometheusMetrics } from './prometheus/prometheus-metrics.js';
import { SimulatedClock } from './sim/clock.js';
import { DEFAULT_SCENARIO } from './sim/scenarios.js';
import { createSimulatedSources } from './sim/simulated-world.js';
import type { SimWorld } from './sim/world.js';

export interface Sources {
  metrics: MetricsSource;
  logs: LogSource;
  /** New log lines per service since a cursor, for template mining. */
  logReader: LogReader;
  cluster: Cluster;
  /** Present when any source is simulated. */
  world?: SimWorld;
}

export interface CreateSourcesOptions {
  /** Simulated minutes from now until the scenario's fault starts; negative: it started that long ago (default 5). */
  faultStartsInMinutes?: number;
}

/**
 * Real adapters where their setting is given, the simulated world where it is not. Mixing is
 * allowed (say, real Prometheus with simulated logs while Elasticsearch is being set up) but
 * logged loudly, because answers then blend two worlds.
 */
export function createSources(config: Config, logger: Logger, options: CreateSourcesOptions = {}): Sources {
  const realCount = [config.prometheusUrl, config.elasticsearchUrl, config.kubeconfig].filter(Boolean).length;
  let world: SimWorld | undefined;
  let simulated: ReturnType<typeof createSimulatedSources> | undefined;
  if (realCount < 3) {
    const clock = new SimulatedClock({ speed: config.simulationSpeed, ...(config.simulationStart === undefined ? {} : { start: config.simulationStart }) });
    const scenario = config.scenario ?? DEFAULT_SCENARIO;
    const faultStart = clock.now() + (options.faultStartsInMinutes ?? 5) * 60_000;
    simulated = createSimulatedSources(config.catalogue, { clock, scenario, faultStart });
    world = simulated.world;
    if (realCount > 0) {
      logger.warn({ simulated: [!config.prometheusUrl && 'metrics', !config.elasticsearchUrl && 'logs', !config.kubeconfig && 'cluster'].filter(Boolean) }, 'some sources are simulated while others are real: answers will mix both');
    }
  }
  return {
    metrics: config.prometheusUrl ? new PrometheusMetrics({ url: config.prometheusUrl, catalogue: config.catalogue }) : simulated!.metrics,
    logs: config.elasticsearchUrl ? createElasticsearchLogs(config.elasticsearchUrl, config.catalogue.elasticsearch) : simulated!.logs,
    logReader: config.elasticsearchUrl
      ? new ElasticsearchLogReader({ client: createElasticsearchClient(config.elasticsearchUrl), settings: config.catalogue.elasticsearch })
      : new SimulatedLogReader(world!),
    cluster: config.kubeconfig ? createKubernetesCluster(config.kubeconfig) : simulated!.cluster,
    world,
  };
}
