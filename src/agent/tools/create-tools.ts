import { serviceNamed, type Catalogue } from '../../catalogue.js';
import type { Cluster } from '../../sources/cluster.js';
import type { LogSource } from '../../sources/logs.js';
import type { MetricsSource } from '../../sources/metrics.js';
import type { TraceSource } from '../../sources/traces.js';
import type { ActionProposals } from '../../state/action-proposals.js';
import type { AnomalyLog } from '../../state/anomaly-log.js';
import type { IncidentStore } from '../../state/incident-store.js';
import type { LogFindingLog } from '../../state/log-finding-log.js';
import type { MinedLogs } from '../../state/mined-logs.js';
import type { AgentTool } from '../tool.js';
import { callGraphTool } from './call-graph.js';
import { clusterEventsTool } from './cluster-events.js';
import { currentAnomaliesTool } from './current-anomalies.js';
import { deploymentHistoryTool } from './deployment-history.js';
import type { ForecastStore } from '../../state/forecast-store.js';
import { forecastCapacityTool } from './forecast-capacity.js';
import { listIncidentsTool } from './list-incidents.js';
import { listMetricsTool } from './list-metrics.js';
import { listPodsTool } from './list-pods.js';
import { logTemplatesTool } from './log-templates.js';
import { promqlQueryTool } from './promql-query.js';
import { proposeActionTool } from './propose-action.js';
import { rankRootCausesTool, type RankRootCauses } from './rank-root-causes.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { searchLogsTool } from './search-logs.js';
import { searchTracesTool } from './search-traces.js';
import { serviceMetricsTool } from './service-metrics.js';

export type { RankRootCauses } from './rank-root-causes.js';

export interface ToolDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  logs: LogSource;
  /** Absent where no tracing backend is configured; search_traces then answers no-data. */
  traces?: TraceSource;
  /** Only its reads reach the tools (see ReadOnlyCluster); a full Cluster is accepted so callers pass what they have. */
  cluster: Cluster | ReadOnlyCluster;
  anomalies: Pick<AnomalyLog, 'since'>;
  /** Absent where incidents are not correlated; list_incidents then answers no-data. */
  incidents?: Pick<IncidentStore, 'all' | 'open'>;
  logFindings: LogFindingLog;
  /** The template counts log mining stored. */
  minedLogs: Pick<MinedLogs, 'templateSummary'>;
  proposals: ActionProposals;
  rankRootCauses: RankRootCauses;
  /** The hourly week-ahead forecasts; absent, forecast_capacity reads the trend alone. */
  forecasts?: Pick<ForecastStore, 'load'>;
  /** The sources' clock, ms since the epoch: the simulated world runs its own. */
  now: () => number;
}

/** Every tool the agent may call, in the order a model reads them in. */
export const TOOL_NAMES = [
  'current_anomalies',
  'list_incidents',
  'service_metrics',
  'promql_query',
  'list_metrics',
  'search_logs',
  'log_templates',
  'list_pods',
  'cluster_events',
  'deployment_history',
  'call_graph',
  'search_traces',
  'rank_root_causes',
  'forecast_capacity',
  'propose_action',
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

export function createTools(dependencies: ToolDependencies): AgentTool[] {
  const cluster = readOnly(dependencies.cluster);
  const tools: AgentTool[] = [
    currentAnomaliesTool(dependencies),
    listIncidentsTool(dependencies),
    serviceMetricsTool(dependencies),
    promqlQueryTool(dependencies),
    listMetricsTool(dependencies),
    searchLogsTool(dependencies),
    logTemplatesTool(dependencies),
    listPodsTool({ ...dependencies, cluster }),
    clusterEventsTool({ ...dependencies, cluster }),
    deploymentHistoryTool({ ...dependencies, cluster }),
    callGraphTool(dependencies),
    searchTracesTool(dependencies),
    rankRootCausesTool(dependencies),
    forecastCapacityTool({ ...dependencies, cluster }),
    proposeActionTool({ ...dependencies, cluster }),
  ];
  return tools.map((tool) => withCatalogueNames(tool, dependencies.catalogue));
}

/**
 * A model reads "orders" in a question and calls a tool with it: a catalogue alias in `service` or
 * `services` is taken for the service it names, so the call is answered rather than refused and
 * made again. Against the catalogue the tools were given, so an asker's scoped catalogue resolves
 * only the aliases of services they may see.
 */
function withCatalogueNames(tool: AgentTool, catalogue: Catalogue): AgentTool {
  const named = (name: unknown) => (typeof name === 'string' ? (serviceNamed(catalogue, name)?.name ?? name) : name);
  return {
    ...tool,
    run: (input, context) => {
      const { service, services } = input as { service?: unknown; services?: unknown };
      const canonical = { ...input, ...(service === undefined ? {} : { service: named(service) }), ...(Array.isArray(services) ? { services: services.map(named) } : {}) };
      return tool.run(canonical, context);
    },
  };
}

/**
 * Only the reads, bound to the cluster: the type already keeps writes out of the tools, and this
 * keeps them out at run time too, so nothing handed to a model holds a reference to scale or rollback.
 */
function readOnly(cluster: ReadOnlyCluster): ReadOnlyCluster {
  return {
    kind: cluster.kind,
    listDeployments: (namespace) => cluster.listDeployments(namespace),
    getDeployment: (namespace, name) => cluster.getDeployment(namespace, name),
    listPods: (namespace, deployment) => cluster.listPods(namespace, deployment),
    listEvents: (namespace, involvedName) => cluster.listEvents(namespace, involvedName),
    getAutoscaler: (namespace, deployment) => cluster.getAutoscaler(namespace, deployment),
  };
}
