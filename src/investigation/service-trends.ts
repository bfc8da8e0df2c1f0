import { catalogueService, type Catalogue } from '../catalogue.js';
import { findTrends, type ComparisonMade, type ComparisonSkipped, type Trend, type TrendSeries } from '../forecast/trends.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import { SIGNALS, type Signal } from '../signals.js';

export interface ServiceTrendsDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  /** Where the newest rollout of each service is read from. */
  cluster: Pick<Cluster, 'getDeployment'>;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

export interface ServiceTrendsRequest {
  /** The services looked at (default: every catalogued one); a name the catalogue lacks is reported as a problem. */
  services?: readonly string[];
  /** Trends returned at most, largest first (default 10). */
  limit?: number;
}

/** The revision a since-deploy comparison starts at. */
export interface DeployedRevision {
  service: string;
  revision: number;
  /** The image's tag, or the image when it has none. */
  version: string;
  /** When it rolled out, ms since the epoch. */
  at: number;
}

export interface ServiceTrends {
  generatedAt: number;
  /** The services looked at. */
  services: string[];
  /** The largest sustained changes, largest first, at most `limit`. */
  trends: Trend[];
  /** Trends found in all, before the top `limit` were taken. */
  found: number;
  /** Which windows were compared for which services and signals. */
  compared: ComparisonMade[];
  /** Comparisons that could not be made (too little history, a deploy too recent). */
  skipped: ComparisonSkipped[];
  /** The rollouts that since-deploy comparisons start at. */
  deploys: DeployedRevision[];
  /** What could not be read, one line per service: the answer stands without it. */
  problems: Array<{ service: string; problem: string }>;
}

const DEFAULT_LIMIT = 10;
const STEP_SECONDS = 300;
/** A week-over-week comparison needs the day a week ago: eight days of history. */
const HISTORY_MILLISECONDS = 8 * 86_400_000;
const DAY = 86_400_000;

/**
 * `/aiops trends [service]`: the largest sustained changes in the services' standard signals,
 * week over week (day over day when the history is short) and since each service's newest
 * rollout. A service whose metrics or deployment cannot be read is named in `problems`; the
 * others are still answered.
 */
export async function serviceTrends(dependencies: ServiceTrendsDependencies, request: ServiceTrendsRequest = {}): Promise<ServiceTrends> {
  const { catalogue } = dependencies;
  const now = dependencies.now();
  // Aligned to the step, so both windows of a comparison sample the same minutes of the hour.
  const end = Math.floor(now / (STEP_SECONDS * 1000)) * STEP_SECONDS * 1000;
  const start = end - HISTORY_MILLISECONDS;
  const names = request.services ?? Object.keys(catalogue.services);
  const problems: ServiceTrends['problems'] = [];
  const read = await Promise.all(
    names.map(async (name) => {
      const service = catalogueService(catalogue, name);
      if (!service) {
        problems.push({ service: name, problem: 'not in the catalogue' });
        return { series: [], deploy: undefined };
      }
      const [series, deploy] = await Promise.all([readHistory(dependencies.metrics, name, { start, end }), newestRollout(dependencies.cluster, name, service.namespace, service.deployment)]);
      const unread = [series.problem, 'problem' in deploy ? deploy.problem : undefined].filter((problem) => problem !== undefined);
      if (unread.length > 0) problems.push({ service: name, problem: unread.join('; ') });
      // Older rollouts have no day before them in the history read: nothing to compare them with.
      const compared = 'revision' in deploy && deploy.at - DAY >= start && deploy.at < end ? deploy : undefined;
      return { series: series.series, deploy: compared };
    }),
  );
  const deploys = read.flatMap((entry) => (entry.deploy ? [entry.deploy] : []));
  const report = findTrends({
    series: read.flatMap((entry) => entry.series),
    now: end,
    deployedAt: Object.fromEntries(deploys.map((deploy) => [deploy.service, deploy.at])),
  });
  return {
    generatedAt: now,
    services: [...names],
    trends: report.trends.slice(0, request.limit ?? DEFAULT_LIMIT),
    found: report.trends.length,
    compared: report.compared,
    skipped: report.skipped,
    deploys,
    problems: problems.sort((left, right) => names.indexOf(left.service) - names.indexOf(right.service)),
  };
}

/** Every standard signal of one service; the signals that fail are named in one problem line. */
async function readHistory(metrics: MetricsSource, service: string, window: { start: number; end: number }): Promise<{ series: TrendSeries[]; problem?: string }> {
  const failed: Array<{ signal: Signal; message: string }> = [];
  const series = await Promise.all(
    SIGNALS.map(async (signal): Promise<TrendSeries | undefined> => {
      try {
        const { samples } = await metrics.range(service, signal, { start: new Date(window.start), end: new Date(window.end), stepSeconds: STEP_SECONDS });
        return { service, signal, samples };
      } catch (error) {
        failed.push({ signal, message: firstLine(error) });
        return undefined;
      }
    }),
  );
  if (failed.length === 0) return { series: series.filter((entry) => entry !== undefined) };
  const which = failed.length === SIGNALS.length ? 'metrics' : `${failed.map((failure) => failure.signal).join(', ')} metrics`;
  return { series: series.filter((entry) => entry !== undefined), problem: `${which} could not be read: ${failed[0]!.message}` };
}

/** The current revision and when it rolled out. */
async function newestRollout(cluster: Pick<Cluster, 'getDeployment'>, service: string, namespace: string, name: string): Promise<DeployedRevision | { problem: string } | { none: true }> {
  try {
    const deployment = await cluster.getDeployment(namespace, name);
    // The running revision, not the newest-created one: after a rollback it is what runs now.
    const current = deployment.revisions.find((revision) => revision.revision === deployment.revision) ?? deployment.revisions.at(-1);
    if (!current) return { none: true };
    const tag = current.image.split('/').pop()?.split(':')[1];
    return { service, revision: current.revision, version: tag ?? current.image, at: current.createdAt };
  } catch (error) {
    return { problem: `its deployment could not be read, so no since-deploy comparison: ${firstLine(error)}` };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
