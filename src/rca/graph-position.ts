import { describeDeviation } from './evidence-text.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';

/**
 * Where an anomalous service sits in the call graph. Faults propagate from callee to caller (a slow
 * database makes every caller slow), so an anomalous service whose callees are all healthy is where
 * the anomaly starts; one that calls an anomalous service may only be feeling it. Services that are
 * not anomalous themselves get nothing: the graph reorders suspects, it does not create them.
 *
 * @param strongestZ each service's strongest robust z-score (services without metrics are absent)
 */
export function graphEvidence(graph: ReadonlyArray<readonly [string, string]>, strongestZ: ReadonlyMap<string, number>, options: ResolvedRankOptions): Map<string, RootCauseEvidence> {
  const callees = new Map<string, Set<string>>();
  for (const [caller, callee] of graph) {
    if (caller === callee) continue;
    if (!callees.has(caller)) callees.set(caller, new Set());
    callees.get(caller)!.add(callee);
  }
  const isAnomalous = (service: string): boolean => (strongestZ.get(service) ?? 0) >= options.anomalousZ;
  const evidence = new Map<string, RootCauseEvidence>();
  for (const [service, zScore] of strongestZ) {
    if (zScore < options.anomalousZ) continue;
    const calls = [...(callees.get(service) ?? [])].sort();
    const anomalousCallees = calls.filter(isAnomalous);
    if (anomalousCallees.length === 0) {
      const healthy = calls.length === 0 ? 'calls no other service' : `its dependencies (${calls.join(', ')}) look healthy`;
      evidence.set(service, { kind: 'graph', summary: `anomalous (${describeDeviation(zScore)}) while ${healthy}: the anomaly likely starts here`, weight: options.graphBonus });
    } else {
      evidence.set(service, { kind: 'graph', summary: `calls ${anomalousCallees.join(', ')}, anomalous too: it may only be feeling a dependency's fault`, weight: 0 });
    }
  }
  return evidence;
}
