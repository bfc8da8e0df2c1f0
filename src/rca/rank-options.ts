import type { ScaleFloor } from './robust-z.js';

/**
 * Everything the ranking can be tuned with, one configuration for every incident. Scores are in
 * "log units": a metric contributes log(1 + robust z), so a context signal worth 1 is worth about
 * as much as multiplying a metric's z-score by e.
 */
export interface RankOptions {
  /** Floor on the normal period's scale (default 1% of |median|, at least 1e-6): a flat period does not explode. */
  scaleFloor?: ScaleFloor;
  /** Quantile of the anomalous window's robust z that scores a metric (default 1: the maximum, as NSigma and BARO). */
  anomalyQuantile?: number;
  /** The largest robust z a metric can reach: beyond it a z measures the reference's tiny spread, not the incident (default 1000). */
  maximumZ?: number;
  /** A sample above this robust z marks the metric's onset (default 3). */
  onsetZ?: number;
  /** A service counts as anomalous, for the call graph, when a metric reaches this robust z (default 5). */
  anomalousZ?: number;
  /** Multiplies the z-score of latency, error and traffic metrics, which callers feel too (default 0.5). */
  symptomWeight?: number;
  /** Share of the second-strongest metric added to the strongest (default 0.25). */
  secondMetricShare?: number;
  /** Bonus for the service that moved first, shrinking to 0 for one that moved a whole window later (default 0.3). */
  onsetBonus?: number;
  /** Bonus for an anomalous service whose callees are all healthy (default 0.7). */
  graphBonus?: number;
  /** Worth of a service's own CPU or memory going from under half its limit to its limit (default 2). */
  saturationBonus?: number;
  /** Worth of an anomaly that follows the symptom sample by sample (correlation 1), when the symptom is known (default 2). */
  symptomLinkWeight?: number;
  /** Share of the symptom link kept when the linked metric is of another kind than the symptom's (latency against errors, traffic against latency; default 0.5). */
  crossKindLinkShare?: number;
  /** Names of nodes measured only from their callers' side (default: X-Ray's `_remote` and `_client` nodes, as `-remote`, `-client`). */
  callerViewPattern?: RegExp;
  /** Share of its score such a node keeps (default 0.5). */
  callerViewShare?: number;
  /** How long before the anomaly a change or Kubernetes event still counts, in ms (default 30 minutes). */
  contextLookbackMs?: number;
  /** Largest score all log findings of one service may add together (default 1.2). */
  logCap?: number;
}

/** Every option with its value: what the ranking works with once the defaults are spread in. */
export type ResolvedRankOptions = Required<RankOptions>;

export const DEFAULT_RANK_OPTIONS: Readonly<ResolvedRankOptions> = Object.freeze({
  scaleFloor: { relative: 0.01, absolute: 1e-6 },
  anomalyQuantile: 1,
  maximumZ: 1000,
  onsetZ: 3,
  anomalousZ: 5,
  symptomWeight: 0.5,
  secondMetricShare: 0.25,
  onsetBonus: 0.3,
  graphBonus: 0.7,
  symptomLinkWeight: 6,
  saturationBonus: 2,
  crossKindLinkShare: 0.5,
  callerViewPattern: /[-_](remote|client)$/i,
  callerViewShare: 0.5,
  contextLookbackMs: 30 * 60_000,
  logCap: 1.2,
});
