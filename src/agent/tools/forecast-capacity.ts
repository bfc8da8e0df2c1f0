import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { estimateExhaustion, type ExhaustionEstimate } from '../../forecast/exhaustion.js';
import { formatTimeLeft } from '../../detection/predictive-anomaly.js';
import { formatQuantity } from '../../format-quantity.js';
import type { ForecastDigest } from '../../forecast/forecast-digest.js';
import type { Deployment } from '../../sources/cluster.js';
import type { ForecastStore } from '../../state/forecast-store.js';
import type { MetricsSource } from '../../sources/metrics.js';
import type { Sample } from '../../signals.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import type { ReadOnlyCluster } from './read-only-cluster.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock, formatUtcTime } from './utc-time.js';

export interface ForecastCapacityDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  cluster: ReadOnlyCluster;
  /** The hourly week-ahead forecasts (seasons included); absent or not yet computed, the trend speaks alone. */
  forecasts?: Pick<ForecastStore, 'load'>;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  resource: z.enum(['memory', 'cpu']).describe('Which resource runs out: memory against its limit, cpu against its limit (or request when unlimited)'),
});

/** History the trend is fitted on: long enough for a slow leak, short enough to be about now. */
const HISTORY_MINUTES = 180;
const STEP_SECONDS = 60;
/** How far ahead the confidence looks, as predictive alerts do. */
const HORIZON_SECONDS = 6 * 3600;

interface Capacity {
  total: number;
  /** "3 pods × 768 MiB limit" */
  description: string;
  unit: 'bytes' | 'cores';
}

/**
 * Time until a service's memory or CPU meets its limit, from the recent trend (the same estimator
 * as predictive alerts), told honestly: "not rising", "not distinguishable from noise" and "too
 * little data" are answers too.
 */
export function forecastCapacityTool(dependencies: ForecastCapacityDependencies): AgentTool<typeof schema> {
  return {
    name: 'forecast_capacity',
    description:
      'Estimates when a service\'s memory or CPU reaches its limit from the last 3 hours\' trend (robust line fit, restarts cut off), with a range and a confidence; ' +
      'says so when usage is not rising; adds the hourly week-ahead forecast (daily and weekly seasons, 95% bound, replicas needed) when one is cached. ' +
      'Use it for leaks, creeping load, capacity planning and "will it fall over tonight?".',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const { namespace, deployment: name } = lookup.service;
      const now = dependencies.now();
      const start = now - HISTORY_MINUTES * 60_000;
      let deployment: Deployment;
      let samples: Sample[];
      try {
        deployment = await dependencies.cluster.getDeployment(namespace, name);
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.cluster), error), services: [input.service] };
      }
      try {
        samples = (await dependencies.metrics.range(input.service, input.resource, { start: new Date(start), end: new Date(now), stepSeconds: STEP_SECONDS })).samples;
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.metrics), error), services: [input.service] };
      }
      const capacity = capacityOf(deployment, input.resource);
      if (!capacity) {
        return { status: 'no-data', output: `${namespace}/${name} sets no ${input.resource} limit or request, so there is no point at which it runs out.`, services: [input.service] };
      }
      if (samples.length === 0) {
        return { status: 'no-data', output: `No ${input.resource} data for ${input.service} since ${formatUtcClock(start)} UTC.`, services: [input.service] };
      }
      let estimate: ExhaustionEstimate;
      try {
        estimate = estimateExhaustion(samples, capacity.total, { now, horizonSeconds: HORIZON_SECONDS });
      } catch (error) {
        return { ...toolFailure('The exhaustion estimate', error), services: [input.service] };
      }
      const quantity = (value: number) => formatQuantity(value, capacity.unit);
      const header = `${input.service} ${input.resource} against ${quantity(capacity.total)} (${capacity.description}, summed over pods; one pod alone can hit its own limit sooner):`;
      const weekAhead = await dependencies.forecasts?.load(input.service, input.resource).catch(() => undefined);
      const seasonal = weekAhead ? [weekAheadLine(weekAhead, quantity, now)] : [];
      return { status: 'ok', output: boundedOutput([header, ...verdict(estimate, quantity), ...seasonal].join('\n')), services: [input.service] };
    },
  };
}

function capacityOf(deployment: Deployment, resource: 'memory' | 'cpu'): Capacity | undefined {
  const pods = `${deployment.replicas} pod${deployment.replicas === 1 ? '' : 's'}`;
  const unit = resource === 'memory' ? 'bytes' : 'cores';
  const limit = resource === 'memory' ? deployment.resources.memoryLimitBytes : deployment.resources.cpuLimitCores;
  const request = resource === 'memory' ? undefined : deployment.resources.cpuRequestCores;
  // Memory past its request is not exhaustion (the pod is only evictable); CPU past its request is contention worth knowing.
  const [perPod, kind] = limit !== undefined && limit > 0 ? [limit, 'limit'] : request !== undefined && request > 0 ? [request, 'request'] : [undefined, ''];
  if (perPod === undefined || deployment.replicas <= 0) return undefined;
  return { total: perPod * deployment.replicas, description: `${pods} × ${formatQuantity(perPod, unit)} ${kind}`, unit };
}

function verdict(estimate: ExhaustionEstimate, quantity: (value: number) => string): string[] {
  const perMinute = estimate.slopePerSecond * 60;
  const trend = estimate.levelNow === undefined ? '' : `trend now ${quantity(estimate.levelNow)} (${perMinute >= 0 ? '+' : '−'}${quantity(Math.abs(perMinute))}/min)`;
  const fitted = estimate.fit ? ` fitted on ${estimate.fit.points} samples ${formatUtcClock(estimate.fit.start)}–${formatUtcClock(estimate.fit.end)} UTC` : '';
  const restart = estimate.restartedAt === undefined ? [] : [`a restart-like drop at ${formatUtcClock(estimate.restartedAt)} UTC; only the climb since then counts`];
  switch (estimate.status) {
    case 'predicted': {
      const range = estimate.secondsToExhaustionRange;
      const latest = range?.latest === undefined ? 'never, if the rise stalls' : formatTimeLeft(range.latest).replace(/^in /, '');
      return [
        `Reaches it ${formatTimeLeft(estimate.secondsToExhaustion ?? 0)}, around ${formatUtcClock(estimate.exhaustionAt ?? estimate.now)} UTC (90% range: ${formatTimeLeft(range?.earliest ?? 0).replace(/^in /, '')} to ${latest}); ` +
          `confidence ${estimate.confidence.toFixed(2)} that it is reached within ${Math.round(estimate.horizonSeconds / 3600)} h.`,
        `${trend};${fitted}`,
        ...restart,
      ];
    }
    case 'exhausted':
      return [`Already at or above it: ${trend}.${fitted}`, ...restart];
    case 'not-rising':
      return [`Not rising: the trend is flat or falling, so nothing runs out on this trend; ${trend}.${fitted}`, ...restart];
    case 'no-trend':
      return [`No clear trend: it rises slightly but not distinguishably from noise, so no exhaustion is predicted; ${trend}.${fitted}`, ...restart];
    case 'insufficient-data':
      return [`Too little data to fit a trend (need at least 8 samples over 10 minutes since the window start or the last restart).`, ...restart];
    case 'stale':
      return ['The newest sample is more than 15 minutes old, so it says nothing about now; the metrics may have stopped arriving.'];
  }
}

/** The cached week-ahead forecast in one line: a season-aware view beside the 3-hour trend. */
function weekAheadLine(digest: ForecastDigest, quantity: (value: number) => string, now: number): string {
  const crossing = digest.limitReachedAt !== undefined ? `reaches the limit around ${formatUtcTime(digest.limitReachedAt, now)} UTC` : digest.limitPossiblyReachedAt !== undefined ? `only its 95% bound reaches the limit, from ${formatUtcTime(digest.limitPossiblyReachedAt, now)} UTC` : 'stays under the limit all week, even at its 95% bound';
  const replicas = digest.recommendedReplicas !== undefined ? `; ${digest.recommendedReplicas} ${digest.recommendedReplicas === 1 ? 'replica holds' : 'replicas hold'} the planned utilisation (${digest.currentReplicas} now)` : '';
  return `Week-ahead forecast (made ${formatUtcTime(digest.generatedAt, now)} UTC, ${digest.model}, backtest MAE ${quantity(digest.backtestError)}): peak ${quantity(digest.peak)} at the 95% bound around ${formatUtcTime(digest.peakAt, now)} UTC; ${crossing}${replicas}.`;
}
