import { DEFAULT_TARGET_UTILISATION, type Catalogue } from '../catalogue.js';
import { capacityPlan, type CapacityPlan } from '../forecast/capacity-plan.js';
import { describeForecastModel } from '../forecast/describe-forecast-model.js';
import { forecastSeries, type BacktestSummary } from '../forecast/forecast-series.js';
import { regularGrid } from '../forecast/regular-grid.js';
import { formatQuantity } from '../format-quantity.js';
import type { Season } from '../forecast/season-detection.js';
import type { Cluster, ContainerResources, Deployment } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import { formatSignalValue, type Sample, type Signal } from '../signals.js';

/** Signals a forecast is asked for; restarts are counts of events, not a demand to plan for. */
export const FORECAST_SIGNALS = ['cpu', 'memory', 'request_rate', 'latency_p95', 'error_rate'] as const satisfies readonly Signal[];
export type ForecastSignal = (typeof FORECAST_SIGNALS)[number];
/** Half the history read: a longer horizon would be forecast from fewer backtest origins than it deserves. */
export const MAXIMUM_FORECAST_HOURS = 7 * 24;
/** History read: two weeks, enough to see a weekly season. */
const HISTORY_DAYS = 14;
const STEP_SECONDS = 300;

export interface CapacityForecastDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  cluster: Pick<Cluster, 'getDeployment' | 'getAutoscaler'>;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

export interface CapacityForecastRequest {
  service: string;
  signal: ForecastSignal;
  horizonHours: number;
}

export interface ForecastedPoint {
  timestamp: number;
  value: number;
  lower: number;
  upper: number;
}

export interface PlannedCapacity extends CapacityPlan {
  perPodCapacity: number;
  /** "0.5 cores CPU request a pod", "≈ 42 req/s a pod (0.5 cores request ÷ 11.9 ms CPU a request, observed)". */
  perPodDescription: string;
  targetUtilisation: number;
  currentReplicas: number;
  autoscaler?: { minReplicas: number; maxReplicas: number };
}

export type CapacityForecast =
  | {
      status: 'ok';
      service: string;
      signal: ForecastSignal;
      horizonHours: number;
      stepSeconds: number;
      generatedAt: number;
      history: Sample[];
      forecast: ForecastedPoint[];
      /** The chosen model in words, and its backtest on this series. */
      model: string;
      seasons: Season[];
      backtest: BacktestSummary;
      current: number;
      /** The highest 95% upper bound over the horizon, and when: the demand to provision for. */
      peak: { value: number; at: number };
      /** Replicas and limits, for the signals that have them; otherwise why not. */
      plan?: PlannedCapacity;
      noPlan?: string;
    }
  | { status: 'too-short'; service: string; signal: ForecastSignal; horizonHours: number; historyHours: number; neededHours: number }
  | { status: 'no-data'; service: string; signal: ForecastSignal; reason: string };

/**
 * A service's forecast for one signal, with the replica arithmetic where the signal has a per-pod
 * capacity: CPU against its request (as the HPA measures it), memory against its limit, traffic
 * against what one pod serves at its CPU request (from the CPU a request costs, as observed over
 * the history). Latency and errors are forecast without replicas: no per-pod capacity bounds them.
 */
export async function capacityForecast(dependencies: CapacityForecastDependencies, request: CapacityForecastRequest): Promise<CapacityForecast> {
  const { service, signal, horizonHours } = request;
  const entry = dependencies.catalogue.services[service];
  if (!entry) return { status: 'no-data', service, signal, reason: `${service} is not in the catalogue` };
  const now = dependencies.now();
  // Aligned to the step, so that a phase of the grid is the same time of day on every run.
  const end = Math.floor(now / (STEP_SECONDS * 1000)) * STEP_SECONDS * 1000;
  const start = end - HISTORY_DAYS * 86_400_000;
  const range = { start: new Date(start), end: new Date(end), stepSeconds: STEP_SECONDS };
  const read = async (which: Signal) => regularGrid((await dependencies.metrics.range(service, which, range)).samples, start, end, STEP_SECONDS);
  let values: Float64Array;
  try {
    values = await read(signal);
  } catch (error) {
    return { status: 'no-data', service, signal, reason: `the metrics could not be read: ${(error as Error).message.split('\n')[0]}` };
  }
  // Leading steps before the service had data are not gaps to forecast through: the history starts at its first value.
  const first = values.findIndex(Number.isFinite);
  if (first < 0) return { status: 'no-data', service, signal, reason: `no ${signal} data for ${service} in the last ${HISTORY_DAYS} days` };
  const history = values.subarray(first);
  const historyStart = start + first * STEP_SECONDS * 1000;
  const horizon = Math.round((horizonHours * 3600) / STEP_SECONDS);
  const forecast = forecastSeries(history, { stepSeconds: STEP_SECONDS, horizon, phaseOffset: Math.round(historyStart / (STEP_SECONDS * 1000)) });
  if (forecast.status !== 'ok') {
    return { status: 'too-short', service, signal, horizonHours, historyHours: (forecast.stepsGiven * STEP_SECONDS) / 3600, neededHours: Math.ceil((forecast.stepsNeeded * STEP_SECONDS) / 3600) };
  }
  const timestamps = forecast.point.map((_, index) => end + (index + 1) * STEP_SECONDS * 1000);
  let current = Number.NaN;
  for (let index = history.length - 1; index >= 0 && !Number.isFinite(current); index -= 1) current = history[index]!;
  const planned = await planFor(dependencies, entry.namespace, entry.deployment, signal, { timestamps, point: forecast.point, upper: forecast.upper, current }, () => read('cpu'), values);
  return {
    status: 'ok',
    service,
    signal,
    horizonHours,
    stepSeconds: STEP_SECONDS,
    generatedAt: now,
    history: Array.from(history, (value, index) => ({ timestamp: historyStart + index * STEP_SECONDS * 1000, value })),
    forecast: timestamps.map((timestamp, index) => ({ timestamp, value: forecast.point[index]!, lower: forecast.lower[index]!, upper: forecast.upper[index]! })),
    model: describeForecastModel(forecast.model, STEP_SECONDS),
    seasons: forecast.detectedSeasons,
    backtest: forecast.backtest,
    current,
    peak: highestUpper(timestamps, forecast.upper),
    ...planned,
  };
}

interface Demand {
  timestamps: number[];
  point: readonly number[];
  upper: readonly number[];
  current: number;
}

async function planFor(
  dependencies: CapacityForecastDependencies,
  namespace: string,
  name: string,
  signal: ForecastSignal,
  demand: Demand,
  readCpu: () => Promise<Float64Array>,
  signalValues: Float64Array,
): Promise<{ plan: PlannedCapacity } | { noPlan: string }> {
  if (signal === 'latency_p95' || signal === 'error_rate') return { noPlan: `${signal} has no per-pod capacity, so no replica count follows from it; forecast cpu or request_rate for that.` };
  let deployment: Deployment;
  let autoscaler: { minReplicas: number; maxReplicas: number } | undefined;
  try {
    deployment = await dependencies.cluster.getDeployment(namespace, name);
    autoscaler = await dependencies.cluster.getAutoscaler(namespace, name);
  } catch (error) {
    return { noPlan: `the deployment ${namespace}/${name} could not be read (${(error as Error).message.split('\n')[0]}), so no replica count.` };
  }
  const perPod = await perPodCapacity(signal, deployment.resources, readCpu, signalValues);
  if ('missing' in perPod) return { noPlan: perPod.missing };
  const targetUtilisation = dependencies.catalogue.capacity?.targetUtilisation ?? DEFAULT_TARGET_UTILISATION;
  const plan = capacityPlan({ ...demand, perPodCapacity: perPod.capacity, replicas: deployment.replicas, targetUtilisation, ...(autoscaler ? { autoscaler } : {}) });
  return {
    plan: {
      ...plan,
      perPodCapacity: perPod.capacity,
      perPodDescription: perPod.description,
      targetUtilisation,
      currentReplicas: deployment.replicas,
      ...(autoscaler ? { autoscaler: { minReplicas: autoscaler.minReplicas, maxReplicas: autoscaler.maxReplicas } } : {}),
    },
  };
}

async function perPodCapacity(signal: 'cpu' | 'memory' | 'request_rate', resources: ContainerResources, readCpu: () => Promise<Float64Array>, requestRates: Float64Array): Promise<{ capacity: number; description: string } | { missing: string }> {
  const cpu = resources.cpuRequestCores ?? resources.cpuLimitCores;
  const cpuKind = resources.cpuRequestCores !== undefined ? 'request' : 'limit';
  if (signal === 'cpu') {
    return cpu && cpu > 0 ? { capacity: cpu, description: `${formatQuantity(cpu, 'cores')} CPU ${cpuKind} a pod` } : { missing: 'the deployment sets no CPU request or limit, so there is no per-pod capacity to plan against.' };
  }
  if (signal === 'memory') {
    const memory = resources.memoryLimitBytes ?? resources.memoryRequestBytes;
    const kind = resources.memoryLimitBytes !== undefined ? 'limit' : 'request';
    return memory && memory > 0 ? { capacity: memory, description: `${formatQuantity(memory, 'bytes')} memory ${kind} a pod` } : { missing: 'the deployment sets no memory limit or request, so there is no per-pod capacity to plan against.' };
  }
  if (!cpu || !(cpu > 0)) return { missing: 'the deployment sets no CPU request, so what one pod serves cannot be derived.' };
  let cpuValues: Float64Array;
  try {
    cpuValues = await readCpu();
  } catch (error) {
    return { missing: `CPU could not be read to derive what one pod serves (${(error as Error).message.split('\n')[0]}).` };
  }
  const cost = cpuSecondsPerRequest(requestRates, cpuValues);
  if (cost === undefined) return { missing: 'too little traffic in the history to tell what a request costs in CPU.' };
  const capacity = cpu / cost;
  return { capacity, description: `≈ ${formatSignalValue('request_rate', capacity)} a pod (${formatQuantity(cpu, 'cores')} CPU ${cpuKind} ÷ ${formatQuantity(cost, 'seconds')} CPU a request, observed)` };
}

/**
 * CPU seconds a request costs: the median ratio of CPU to traffic over the busiest quarter of the
 * history, where idle CPU (runtime, health checks) weighs least in the ratio. A little high
 * rather than low, which errs towards more replicas.
 */
export function cpuSecondsPerRequest(requestRates: ArrayLike<number>, cpuCores: ArrayLike<number>): number | undefined {
  const pairs: Array<{ rate: number; ratio: number }> = [];
  for (let index = 0; index < Math.min(requestRates.length, cpuCores.length); index += 1) {
    const rate = requestRates[index]!;
    const cpu = cpuCores[index]!;
    if (Number.isFinite(rate) && Number.isFinite(cpu) && rate > 0) pairs.push({ rate, ratio: cpu / rate });
  }
  if (pairs.length < 12) return undefined;
  pairs.sort((left, right) => right.rate - left.rate);
  const busiest = pairs.slice(0, Math.max(12, Math.floor(pairs.length / 4))).map((pair) => pair.ratio).sort((left, right) => left - right);
  const median = busiest[Math.floor(busiest.length / 2)]!;
  return median > 0 ? median : undefined;
}

function highestUpper(timestamps: readonly number[], upper: readonly number[]): { value: number; at: number } {
  let peak = { value: Number.NEGATIVE_INFINITY, at: timestamps[0]! };
  upper.forEach((value, index) => {
    if (value > peak.value) peak = { value, at: timestamps[index]! };
  });
  return peak;
}
