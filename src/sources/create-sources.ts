import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Cluster } from './cluster.js';
import type { LogReader } from './log-reader.js';
import type { LogSource } from './logs.js';
import type { MetricsSource } from './metrics.js';
import { SimulatedClock } from './sim/clock.js';
import { DEFAULT_SCENARIO } from './sim/scenarios.js';
import { createSimulatedSources } from './sim/simulated-world.js';
import type { SimWorld } from './sim/world.js';
import type { TraceSource } from './traces.js';

export interface Sources {
  metrics: MetricsSource;
  logs: LogSource;
  /** New log lines per service since a cursor, for template mining. */
  logReader: LogReader;
  cluster: Cluster;
  /**
   * Jaeger when JAEGER_URL is set; the simulated world's traces when every source is simulated;
   * otherwise none. Traces are optional evidence, so a real estate without a tracing backend is not
   * handed invented ones: the simulated call graph would add edges the estate does not have.
   */
  traces?: TraceSource;
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
 *
 * A real adapter is imported only when its setting is given: the Kubernetes and Elasticsearch
 * clients take seconds to load, which the simulated world (and `aiops ask` on it) never needs.
 */
export async function createSources(config: Config, logger: Logger, options: CreateSourcesOptions = {}): Promise<Sources> {
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
  const [metrics, logs, cluster, traces] = await Promise.all([
    config.prometheusUrl ? prometheusMetrics(config.prometheusUrl, config) : undefined,
    config.elasticsearchUrl ? elasticsearchLogs(config.elasticsearchUrl, config) : undefined,
    config.kubeconfig ? kubernetesCluster(config.kubeconfig) : undefined,
    config.jaegerUrl ? jaegerTraces(config.jaegerUrl) : undefined,
  ]);
  return {
    metrics: metrics ?? simulated!.metrics,
    logs: logs?.logs ?? simulated!.logs,
    logReader: logs?.reader ?? simulated!.logReader,
    cluster: cluster ?? simulated!.cluster,
    ...(traces ? { traces } : realCount === 0 && simulated ? { traces: simulated.traces } : {}),
    world,
  };
}

async function prometheusMetrics(url: string, config: Config): Promise<MetricsSource> {
  const { PrometheusMetrics } = await import('./prometheus/prometheus-metrics.js');
  return new PrometheusMetrics({ url, catalogue: config.catalogue });
}

async function elasticsearchLogs(url: string, config: Config): Promise<{ logs: LogSource; reader: LogReader }> {
  const [{ createElasticsearchClient, createElasticsearchLogs }, { ElasticsearchLogReader }] = await Promise.all([
    import('./elasticsearch/elasticsearch-logs.js'),
    import('./elasticsearch/elasticsearch-log-reader.js'),
  ]);
  return {
    logs: createElasticsearchLogs(url, config.catalogue.elasticsearch),
    reader: new ElasticsearchLogReader({ client: createElasticsearchClient(url), settings: config.catalogue.elasticsearch }),
  };
}

async function jaegerTraces(url: string): Promise<TraceSource> {
  const { JaegerTraces } = await import('./jaeger/jaeger-traces.js');
  return new JaegerTraces({ url });
}

async function kubernetesCluster(kubeconfigPath: string): Promise<Cluster> {
  const { createKubernetesCluster } = await import('./kubernetes/kubernetes-cluster.js');
  return createKubernetesCluster(kubeconfigPath);
}
