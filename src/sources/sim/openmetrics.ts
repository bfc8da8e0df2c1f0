import { SIM_NAMESPACE } from './estate.js';
import { LATENCY_BUCKETS } from './histogram.js';
import { TICK_MILLISECONDS, tickOf, type ServiceSnapshot, type SimWorld } from './world.js';

/**
 * The world's metric history in OpenMetrics text, under the names real exporters use
 * (cAdvisor, kube-state-metrics, an HTTP server's client library), so that
 * `promtool tsdb create-blocks-from openmetrics` loads it into a real Prometheus and the
 * catalogue's PromQL templates return the simulated values.
 *
 * Counters are cumulative and start, for pods older than the export, at what the pod would have
 * accumulated since it started: a counter starting near zero would make Prometheus shorten its
 * rate extrapolation (it assumes a counter never goes below zero), and the first rates would
 * come out low.
 */

export interface ExportRange {
  start: number;
  end: number;
}

type Labels = Record<string, string>;

interface SeriesColumn {
  sampleName: string;
  labels: Labels;
  values: Float64Array;
}

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  series: Map<string, SeriesColumn>;
}

/** Adds one minute's value to a series: a gauge's value, or a counter's increase. */
type Put = (family: Family, sampleName: string, labels: Labels, value: number, counter?: { initial: number }) => void;

/** Writes the history from `range.start` to `range.end` at the world's one-minute resolution. */
export function writeOpenMetrics(world: SimWorld, range: ExportRange, write: (chunk: string) => void): void {
  const ticks: number[] = [];
  for (let tick = tickOf(range.start); tick <= range.end; tick += TICK_MILLISECONDS) ticks.push(tick);
  const families = createFamilies();
  let index = 0;
  const put: Put = (family, sampleName, labels, value, counter) => {
    const key = `${sampleName}${JSON.stringify(labels)}`;
    let column = family.series.get(key);
    if (!column) {
      column = { sampleName, labels, values: new Float64Array(ticks.length).fill(Number.NaN) };
      family.series.set(key, column);
    }
    if (!counter) {
      column.values[index] = value;
      return;
    }
    const previous = index > 0 ? column.values[index - 1]! : Number.NaN;
    column.values[index] = (Number.isNaN(previous) ? counter.initial : previous) + value;
  };

  for (index = 0; index < ticks.length; index += 1) {
    for (const service of world.services()) addServiceSamples(world, world.snapshot(service, ticks[index]!), ticks[index]!, families, put);
  }

  for (const family of Object.values(families)) {
    write(`# TYPE ${family.name} ${family.type}\n# HELP ${family.name} ${family.help}\n`);
    for (const column of family.series.values()) {
      const prefix = `${column.sampleName}${formatLabels(column.labels)} `;
      const lines: string[] = [];
      column.values.forEach((value, tickIndex) => {
        if (!Number.isNaN(value)) lines.push(`${prefix}${formatNumber(value)} ${ticks[tickIndex]! / 1000}\n`);
      });
      write(lines.join(''));
    }
  }
  write('# EOF\n');
}

function createFamilies() {
  const family = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, series: new Map() });
  return {
    cpu: family('container_cpu_usage_seconds', 'counter', 'Cumulative CPU time consumed in seconds.'),
    memory: family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'),
    limits: family('kube_pod_container_resource_limits', 'gauge', 'Container resource limits.'),
    restarts: family('kube_pod_container_status_restarts', 'counter', 'Container restarts.'),
    replicas: family('kube_deployment_spec_replicas', 'gauge', 'Desired replicas of a deployment.'),
    available: family('kube_deployment_status_replicas_available', 'gauge', 'Available replicas of a deployment.'),
    requests: family('http_requests', 'counter', 'HTTP requests served, by status code.'),
    latency: family('http_request_duration_seconds', 'histogram', 'HTTP request latency in seconds.'),
  };
}

function addServiceSamples(world: SimWorld, state: ServiceSnapshot, tick: number, families: ReturnType<typeof createFamilies>, put: Put): void {
  const service = state.service;
  const profile = world.profile(service);
  const namespace = SIM_NAMESPACE;
  put(families.replicas, 'kube_deployment_spec_replicas', { namespace, deployment: service }, state.replicas);
  put(families.available, 'kube_deployment_status_replicas_available', { namespace, deployment: service }, state.readyReplicas);
  const meanLatency = state.latencyMedianSeconds * Math.exp(0.45 ** 2 / 2);
  for (const pod of state.pods) {
    // Seconds the pod was up before this minute: what its counters had accumulated already.
    const uptime = Math.max(0, (tick - TICK_MILLISECONDS - pod.createdAt) / 1000);
    const perMinute = (perSecond: number) => [perSecond * 60, { initial: perSecond * uptime }] as const;
    const container = { namespace, pod: pod.name, container: service };
    put(families.cpu, 'container_cpu_usage_seconds_total', container, ...perMinute(pod.cpuCores));
    put(families.memory, 'container_memory_working_set_bytes', container, pod.memoryBytes);
    put(families.limits, 'kube_pod_container_resource_limits', { ...container, resource: 'cpu', unit: 'core' }, profile.cpuLimitCores);
    put(families.limits, 'kube_pod_container_resource_limits', { ...container, resource: 'memory', unit: 'byte' }, profile.memoryLimitBytes);
    // The restart counter is a count, not a rate: it is the pod's restarts so far.
    put(families.restarts, 'kube_pod_container_status_restarts_total', container, pod.restarts);

    const requests = state.requestRate * pod.requestShare;
    const http = { namespace, service, pod: pod.name };
    put(families.requests, 'http_requests_total', { ...http, code: '200' }, ...perMinute(requests * (1 - state.errorRate)));
    put(families.requests, 'http_requests_total', { ...http, code: '500' }, ...perMinute(requests * state.errorRate));
    state.latencyBucketShares.forEach((share, bucket) => {
      put(families.latency, 'http_request_duration_seconds_bucket', { ...http, le: String(LATENCY_BUCKETS[bucket]) }, ...perMinute(requests * share));
    });
    put(families.latency, 'http_request_duration_seconds_bucket', { ...http, le: '+Inf' }, ...perMinute(requests));
    put(families.latency, 'http_request_duration_seconds_count', http, ...perMinute(requests));
    put(families.latency, 'http_request_duration_seconds_sum', http, ...perMinute(requests * meanLatency));
  }
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
