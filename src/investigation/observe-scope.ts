import type { CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { screenForAnomalies, type ScreenedSeries } from '../detection/screen-for-anomalies.js';
import { isSignal } from '../signals.js';
import type { AnswerDependencies } from './deterministic-answer.js';
import { investigationScope } from './services-in-scope.js';
import { readSignalSeries, type SignalSeries } from './signal-series.js';

export interface ObservedScope {
  /** Where the cause may be: the named services, what they call, and their callers when they are merely busy. */
  services: CatalogueService[];
  widenedToCallers: boolean;
  /** Anomalies in scope over the window: those detection recorded, and those found in the metrics here. */
  anomalies: Anomaly[];
  /** Services whose anomalies were found in the metrics here, detection having recorded none for them. */
  foundInMetrics: string[];
  /** The scope's signals from the hour before the window to now: what the root-cause engine ranks. */
  series: SignalSeries;
}

/** Sample step of an investigation's reads, seconds. */
export const INVESTIGATION_STEP_SECONDS = 30;
/** What "usual" means for a signal: the hour before the window asked about. */
const BASELINE_MINUTES = 60;
/** Read a little before the baseline: the engine's normal period starts up to this much earlier (its detection lead). */
const EXTRA_MINUTES = 5;

/**
 * What is wrong around the services asked about, now: the anomalies detection recorded in the
 * window, and for every service in scope it recorded nothing about, those the metrics show
 * against the hour before the window. So an answer is right without detection's history too: a
 * bot started during an incident, the command line, a Prometheus the workers never read. The
 * scope itself follows what the named services show (merely busy: their callers come in).
 */
export async function observeScope(dependencies: AnswerDependencies, named: string[], now: number): Promise<ObservedScope> {
  const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
  const windowStart = now - windowMinutes * 60_000;
  const range = { start: windowStart - (BASELINE_MINUTES + EXTRA_MINUTES) * 60_000, end: now, stepSeconds: INVESTIGATION_STEP_SECONDS };
  const recorded = await dependencies.anomalies.since(windowStart);
  const screen = (signals: SignalSeries, services: readonly string[]) => {
    const unrecorded = new Set(services.filter((service) => !recorded.some((anomaly) => anomaly.service === service)));
    return screenForAnomalies(screenable(signals).filter((series) => unrecorded.has(series.service)), { windowStart, baselineStart: windowStart - BASELINE_MINUTES * 60_000 });
  };

  // The named services first: whether they are failing or merely busy decides where else to look.
  const namedServices = named.map((name) => dependencies.catalogue.services[name]).filter((service): service is CatalogueService => service !== undefined);
  const namedSeries = await readSignalSeries(dependencies.metrics, namedServices, range);
  const { services, widenedToCallers } = investigationScope(dependencies.catalogue, named, [...recorded, ...screen(namedSeries, named)]);
  const others = services.filter((service) => !named.includes(service.name));
  const otherSeries = await readSignalSeries(dependencies.metrics, others, range);
  const series: SignalSeries = { ...range, series: [...namedSeries.series, ...otherSeries.series], problems: [...new Set([...namedSeries.problems, ...otherSeries.problems])] };

  const names = new Set(services.map((service) => service.name));
  const found = screen(series, [...names]);
  return {
    services,
    widenedToCallers,
    anomalies: [...recorded.filter((anomaly) => names.has(anomaly.service)), ...found],
    foundInMetrics: found.map((anomaly) => anomaly.service),
    series,
  };
}

function screenable(signals: SignalSeries): ScreenedSeries[] {
  return signals.series.flatMap((series) =>
    isSignal(series.metric) ? [{ service: series.service, signal: series.metric, samples: series.timestamps.map((timestamp, index) => ({ timestamp, value: series.values[index]! })) }] : [],
  );
}
