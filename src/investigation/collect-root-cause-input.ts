import type { ChangeEventReader } from '../alerts/change-event.js';
import type { Catalogue, CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { AiopsError } from '../errors.js';
import { levelRank } from '../logs/log-entry.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { LogFindingLog } from '../state/log-finding-log.js';
import { mergeCallGraph } from '../rca/merge-call-graph.js';
import type { ChangeContext, EventContext, LogContext, RootCauseInput } from '../rca/root-cause-input.js';
import { recentChanges, type RecentChange } from '../sources/recent-changes.js';
import type { TraceSource } from '../sources/traces.js';
import { readSignalSeries, type SignalSeries } from './signal-series.js';

export interface RootCauseCollectorDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  cluster: Cluster;
  /** Recent log findings per service; absent, logs add nothing. */
  logFindings?: LogFindingLog;
  /** CI/CD's change events; absent, the cluster's changes alone. */
  changeEvents?: ChangeEventReader;
  /** Traces: the calls they show join the catalogue's call graph. Absent, the catalogue's graph stands alone. */
  traces?: TraceSource;
}

export interface CollectOptions {
  /** The sources' clock, ms since the epoch. */
  now: number;
  /** Anomalies already detected in scope: the earliest one dates the incident. */
  anomalies: Anomaly[];
  /** The incident's start when it is known (an incident thread); otherwise dated from the anomalies. */
  anomalyStart?: number;
  /** The service the question or incident is about. */
  symptom?: string;
  /** The scope's recent changes when the caller has read them already (at least back to the normal period's start). */
  changes?: RecentChange[];
  /** The scope's signals when the caller has read them already; used when they reach back to the normal period's start. */
  series?: SignalSeries;
  /** Length of the normal period before the incident, minutes (default 60). */
  normalMinutes?: number;
  /** Sample step, seconds (default 30). */
  stepSeconds?: number;
}

export interface CollectedRootCauseInput {
  input: RootCauseInput;
  /** Sources that could not be read, one line each ("metrics: connect ECONNREFUSED …"): an answer says what it could not see. */
  problems: string[];
}

/** When nothing is dated, the last quarter hour is "now" and the hour before it "normal". */
const UNDATED_ANOMALY_MINUTES = 15;

/**
 * Detectors raise an anomaly some samples after the change (they need evidence), so the change
 * itself started earlier; counting those minutes as normal would hide the onset that tells the
 * root cause from its callers.
 */
const DETECTION_LEAD_MILLISECONDS = 5 * 60_000;

/** The incident's start as the sources know it: the earliest anomaly in scope, less the detection lead. */
export function incidentStart(anomalies: readonly Anomaly[], now: number): number {
  if (anomalies.length === 0) return now - UNDATED_ANOMALY_MINUTES * 60_000;
  const earliest = Math.min(...anomalies.map((anomaly) => Math.min(anomaly.detectedAt, anomaly.evidence.end)));
  return Math.min(now - 2 * 60_000, earliest - DETECTION_LEAD_MILLISECONDS);
}

/**
 * Everything the root-cause engine reads about these services, from the live sources: every
 * standard signal over the normal period and the incident so far, the call graph from the
 * catalogue (and the traces, when there are any), recent changes, Kubernetes events and pod
 * termination reasons, and log findings.
 * A source that fails leaves its part empty rather than failing the answer: the rest still ranks.
 */
export async function collectRootCauseInput(services: CatalogueService[], dependencies: RootCauseCollectorDependencies, options: CollectOptions): Promise<CollectedRootCauseInput> {
  const anomalyStart = options.anomalyStart ?? incidentStart(options.anomalies, options.now);
  const normalStart = anomalyStart - (options.normalMinutes ?? 60) * 60_000;
  const stepSeconds = options.stepSeconds ?? 30;
  const names = new Set(services.map((service) => service.name));
  // Samples before normalStart are ignored by the engine, so series read earlier and further back serve as they are.
  const alreadyRead = options.series !== undefined && options.series.start <= normalStart ? options.series : undefined;

  const [signals, changes, events, logs, traced] = await Promise.all([
    alreadyRead ?? readSignalSeries(dependencies.metrics, services, { start: normalStart, end: options.now, stepSeconds }),
    options.changes ?? recentChanges(dependencies.cluster, services, normalStart, dependencies.changeEvents),
    clusterEvents(dependencies.cluster, services, normalStart),
    logFindings(dependencies.logFindings, services, normalStart),
    tracedCalls(dependencies.traces, services, normalStart, options.now),
  ]);

  const catalogued = services.flatMap((service) => service.dependencies.map((dependency): [string, string] => [service.name, dependency]));
  // A catalogue that is missing or behind the code misses edges the traces show: see mergeCallGraph.
  const graph = mergeCallGraph(catalogued, traced.edges, names);
  const input: RootCauseInput = {
    series: signals.series.filter((entry) => names.has(entry.service)),
    anomalyStart,
    normalStart,
    graph,
    ...(options.symptom ? { symptom: { service: options.symptom } } : {}),
    changes: changes
      // A Kubernetes event is no change to weigh: the events below carry those.
      .flatMap((change): ChangeContext[] => (change.kind === 'event' ? [] : [{ service: change.service, kind: engineKind(change.kind), at: change.at, description: change.description }])),
    events,
    logs,
  };
  return { input, problems: [...signals.problems, ...traced.problems] };
}

/**
 * Caller → callee pairs the traces of these services show over the normal period and the incident
 * (a service that crashes during the incident calls nobody then, but its edges were there before).
 * Unreadable traces add no edges and one problem line; the catalogue's graph still stands.
 */
async function tracedCalls(traces: TraceSource | undefined, services: CatalogueService[], start: number, end: number): Promise<{ edges: Array<[string, string]>; problems: string[] }> {
  if (!traces) return { edges: [], problems: [] };
  try {
    const edges = await traces.callGraph({ start: new Date(start), end: new Date(end), services: services.map((service) => service.name) });
    return { edges: edges.map((edge): [string, string] => [edge.caller, edge.callee]), problems: [] };
  } catch (error) {
    const reason = error instanceof AiopsError ? error.toOneLine() : (error as Error).message;
    return { edges: [], problems: [`traces: ${reason.split('\n')[0]}`] };
  }
}

/** Warning events about each service's deployment or pods, and why its containers last stopped. */
async function clusterEvents(cluster: Cluster, services: CatalogueService[], since: number): Promise<EventContext[]> {
  // One read per namespace, not per service: every service of a namespace shares its event list.
  const namespaces = [...new Set(services.map((service) => service.namespace))];
  const eventsByNamespace = new Map(await Promise.all(namespaces.map(async (namespace) => [namespace, await cluster.listEvents(namespace).catch(() => [])] as const)));
  const found: EventContext[] = [];
  await Promise.all(
    services.map(async (service) => {
      for (const event of eventsByNamespace.get(service.namespace) ?? []) {
        if (event.type !== 'Warning' || event.lastTimestamp < since) continue;
        if (event.involvedName !== service.deployment && !event.involvedName.startsWith(`${service.deployment}-`)) continue;
        found.push({ service: service.name, reason: event.reason, at: event.lastTimestamp, count: event.count, message: event.message });
      }
      try {
        for (const pod of await cluster.listPods(service.namespace, service.deployment)) {
          // Events expire after an hour; the pod's own record of its last exit does not.
          const reason = pod.waitingReason === 'CrashLoopBackOff' ? 'CrashLoopBackOff' : pod.lastTerminationReason === 'OOMKilled' ? 'OOMKilled' : undefined;
          if (reason && pod.restarts > 0) found.push({ service: service.name, reason, at: pod.startedAt ?? since, count: pod.restarts, message: `${pod.name}: ${reason}, ${pod.restarts} restarts` });
        }
      } catch {
        // Unreadable pods: no termination reasons known for this service.
      }
    }),
  );
  return found;
}

async function logFindings(log: LogFindingLog | undefined, services: CatalogueService[], since: number): Promise<LogContext[]> {
  if (!log) return [];
  const perService = await Promise.all(services.map((service) => log.since(service.name, since).catch(() => [])));
  return perService.flat().map((finding) => ({
    service: finding.service,
    kind: finding.kind,
    at: finding.bucketStart,
    error: levelRank(finding.level) >= levelRank('error'),
    template: finding.template,
    count: finding.count,
  }));
}

/**
 * A change as the engine weighs it: a feature flag flipped is a configuration change (the same
 * weight as a deploy, and "revert it" rather than "roll back the Deployment" as advice).
 */
function engineKind(kind: Exclude<RecentChange['kind'], 'event'>): ChangeContext['kind'] {
  return kind === 'feature-flag' ? 'config' : kind;
}
