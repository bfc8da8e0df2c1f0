import type { CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { screenForAnomalies, type ScreenedSeries } from '../detection/screen-for-anomalies.js';
import { isSignal } from '../signals.js';
import type { AnswerDependencies } from './deterministic-answer.js';
import { describeAsUsual } from './as-usual.js';
import { busyOnly, investigationScope, withLoadSources } from './services-in-scope.js';
import { readSignalSeries, type SignalSeries } from './signal-series.js';

export interface ObservedScope {
  /** Where the cause may be: the named services, what they call, and their callers when they are merely busy. */
  services: CatalogueService[];
  widenedToCallers: boolean;
  /**
   * Set when the named services show nothing and what they call is only busier than usual: those
   * busy services, and the services brought in because they send them load (their callers, and
   * what those call).
   */
  loadSources?: { busy: string[]; added: string[] };
  /** Anomalies in scope over the window: those detection recorded, and those found in the metrics here. */
  anomalies: Anomaly[];
  /** Services whose anomalies were found in the metrics here, detection having recorded none for them. */
  foundInMetrics: string[];
  /** The scope's signals from the hour before the window to now: what the root-cause engine ranks. */
  series: SignalSeries;
  /** The window asked about, and the baseline before it (what "usual" means), ms since the epoch. */
  window: { baselineStart: number; windowStart: number };
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
 * scope itself follows what the named services show (merely busy: their callers come in), and
 * when they show nothing while what they call is merely busy, where that load comes from.
 */
export async function observeScope(dependencies: AnswerDependencies, named: string[], now: number): Promise<ObservedScope> {
  const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
  const windowStart = now - windowMinutes * 60_000;
  const window = { baselineStart: windowStart - BASELINE_MINUTES * 60_000, windowStart };
  const range = { start: windowStart - (BASELINE_MINUTES + EXTRA_MINUTES) * 60_000, end: now, stepSeconds: INVESTIGATION_STEP_SECONDS };
  const recorded = await dependencies.anomalies.since(windowStart);
  const screen = (signals: SignalSeries, services: readonly string[]) => {
    const unrecorded = new Set(services.filter((service) => !recorded.some((anomaly) => anomaly.service === service)));
    return screenForAnomalies(screenable(signals).filter((series) => unrecorded.has(series.service)), window);
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
  const observed: ObservedScope = {
    services,
    widenedToCallers,
    anomalies: [...recorded.filter((anomaly) => names.has(anomaly.service)), ...found],
    foundInMetrics: found.map((anomaly) => anomaly.service),
    series,
    window,
  };
  // Nothing on the named services and only more load below them: the question's premise does not
  // hold there, and the load comes from somewhere else. Look where.
  const busy = busyOnly(named, observed.anomalies);
  const added = busy.length === 0 ? [] : withLoadSources(dependencies.catalogue, named, busy).filter((service) => !names.has(service.name));
  if (added.length === 0) return observed;
  const addedNames = added.map((service) => service.name);
  const addedSeries = await readSignalSeries(dependencies.metrics, added, range);
  const addedFound = screen(addedSeries, addedNames);
  return {
    ...observed,
    services: [...services, ...added],
    loadSources: { busy, added: addedNames },
    anomalies: [...observed.anomalies, ...recorded.filter((anomaly) => addedNames.includes(anomaly.service)), ...addedFound],
    foundInMetrics: [...observed.foundInMetrics, ...addedFound.map((anomaly) => anomaly.service)],
    series: { ...range, series: [...series.series, ...addedSeries.series], problems: [...new Set([...series.problems, ...addedSeries.problems])] },
  };
}

/** The first named service the trouble shows on: the symptom the engine explains. A calm service is no symptom and explains nothing. */
export function symptomIn(named: readonly string[], anomalies: readonly Anomaly[]): string | undefined {
  return named.find((service) => anomalies.some((anomaly) => anomaly.service === service));
}

/** The named services that show nothing, each with its latency and errors beside their usual. */
export function calmNamed(observed: ObservedScope, named: readonly string[], now: number): string[] {
  return named.filter((name) => symptomIn([name], observed.anomalies) === undefined).flatMap((name) => describeAsUsual(observed.series.series, name, { ...observed.window, now }) ?? []);
}

function screenable(signals: SignalSeries): ScreenedSeries[] {
  return signals.series.flatMap((series) =>
    isSignal(series.metric) ? [{ service: series.service, signal: series.metric, samples: series.timestamps.map((timestamp, index) => ({ timestamp, value: series.values[index]! })) }] : [],
  );
}
