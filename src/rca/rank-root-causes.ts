import { serviceContextEvidence } from './context-evidence.js';
import { explainedByCallees, graphEvidence, type ExplainedShare } from './graph-position.js';
import { measureMetric, type IncidentWindows, type MetricSignal } from './metric-evidence.js';
import { serviceMetricEvidence } from './metric-score.js';
import { onsetEvidence } from './onset-order.js';
import { symptomLinkEvidence } from './symptom-link-evidence.js';
import { callerSideView } from './caller-side-view.js';
import { saturationEvidence } from './saturation.js';
import { symptomLinks } from './symptom-link.js';
import { DEFAULT_RANK_OPTIONS, type RankOptions, type ResolvedRankOptions } from './rank-options.js';
import type { RankedCause, RootCauseEvidence, RootCauseInput, RootCauseRanking } from './root-cause-input.js';

export type { RankOptions } from './rank-options.js';

/**
 * Ranks the services of an incident by how likely each is its root cause. Pure: the same input
 * gives the same ranking, with no clock and no I/O.
 *
 * A service's score adds up its evidence: its strongest metrics' robust z-scores of the anomalous
 * window against the normal period, counted only in the direction that hurts (latency and errors
 * up, availability down; log-scaled, latency and traffic discounted, a flat reference held to a
 * modest z), a small bonus for moving first, and any change, Kubernetes event or log finding
 * around the start. When the symptom is known, an anomaly that follows it sample by sample counts
 * strongly, less the share an anomalous callee explains; when the call graph is known, a service
 * anomalous with healthy callees gets a bonus and one the symptom cannot reach is marked down.
 * Every service with metrics or context appears once, best first.
 */
export function rankRootCauses(input: RootCauseInput, options: RankOptions = {}): RootCauseRanking {
  const settings: ResolvedRankOptions = { ...DEFAULT_RANK_OPTIONS, ...options };
  const windows = incidentWindows(input);
  const signals = new Map<string, MetricSignal[]>();
  for (const series of input.series) {
    const signal = measureMetric(series, windows, { floor: settings.scaleFloor, anomalyQuantile: settings.anomalyQuantile, onsetZ: settings.onsetZ, directional: true, maximumZ: settings.maximumZ });
    if (!signal) continue;
    if (!signals.has(signal.service)) signals.set(signal.service, []);
    signals.get(signal.service)!.push(signal);
  }

  const strongestZ = new Map<string, number>();
  const onsets = new Map<string, number>();
  for (const [service, serviceSignals] of signals) {
    strongestZ.set(service, Math.max(...serviceSignals.map((signal) => signal.zScore)));
    const serviceOnsets = serviceSignals.flatMap((signal) => (signal.onset === undefined ? [] : [signal.onset]));
    if (serviceOnsets.length > 0) onsets.set(service, Math.min(...serviceOnsets));
  }
  const onsetBonuses = onsetEvidence(onsets, windows.anomalyEnd - windows.anomalyStart, settings);
  const links = symptomLinks(input, windows, signals, settings.onsetZ, settings.crossKindLinkShare);
  const graphContext = { strongestZ, signals, ...(input.symptom ? { symptomService: input.symptom.service, links } : {}) };
  const explained = input.graph ? explainedByCallees(input.graph, graphContext, settings) : new Map<string, ExplainedShare>();
  const linkEvidence = symptomLinkEvidence(links, input.symptom?.service, explained, settings);
  const graphPositions = input.graph ? graphEvidence(input.graph, graphContext, explained, settings) : new Map<string, RootCauseEvidence>();

  const services = new Set<string>([...signals.keys(), ...(input.changes ?? []).map((item) => item.service), ...(input.events ?? []).map((item) => item.service), ...(input.logs ?? []).map((item) => item.service)]);
  const ranking: RankedCause[] = [...services].map((service) => {
    const context = serviceContextEvidence(
      {
        changes: (input.changes ?? []).filter((item) => item.service === service),
        events: (input.events ?? []).filter((item) => item.service === service),
        logs: (input.logs ?? []).filter((item) => item.service === service),
      },
      windows,
      settings,
    );
    const extras = [onsetBonuses.get(service), graphPositions.get(service), linkEvidence.get(service), saturationEvidence(signals.get(service) ?? [], settings)].filter((item): item is RootCauseEvidence => item !== undefined);
    const evidence = [...serviceMetricEvidence(signals.get(service) ?? [], settings), ...extras, ...context];
    const view = callerSideView(service, evidence, settings);
    if (view) evidence.push(view);
    evidence.sort((left, right) => right.weight - left.weight);
    return { service, score: evidence.reduce((sum, item) => sum + item.weight, 0), evidence };
  });
  ranking.sort((left, right) => right.score - left.score || left.service.localeCompare(right.service));
  return { ranking };
}

/** The normal period runs from normalStart (default: the first sample) to the anomaly start. */
function incidentWindows(input: RootCauseInput): IncidentWindows {
  let lastSample = Number.NEGATIVE_INFINITY;
  for (const series of input.series) lastSample = Math.max(lastSample, series.timestamps[series.timestamps.length - 1] ?? lastSample);
  const anomalyEnd = input.anomalyEnd ?? (Number.isFinite(lastSample) ? lastSample : Number.POSITIVE_INFINITY);
  return { anomalyStart: input.anomalyStart, anomalyEnd, normalStart: input.normalStart ?? Number.NEGATIVE_INFINITY, normalAfterEnd: input.normalAfterEnd ?? false };
}
