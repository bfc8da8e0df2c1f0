import { describeDeviation } from './evidence-text.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';
import type { MetricSignal } from './metric-evidence.js';
import type { SymptomLink } from './symptom-link.js';

/** What the graph position reads besides the graph: each service's strongest z, and, when the symptom is known, its links to it. */
export interface GraphContext {
  /** Each service's strongest robust z-score (services without metrics are absent). */
  strongestZ: ReadonlyMap<string, number>;
  /** The service the incident was raised on, when known. */
  symptomService?: string;
  /** Each anomalous service's link to the symptom (symptomLinks); absent when there is no symptom. */
  links?: ReadonlyMap<string, SymptomLink>;
  /** Each service's measured metrics, to compare a caller's rise with its callee's. */
  signals?: ReadonlyMap<string, readonly MetricSignal[]>;
}

/**
 * Where an anomalous service sits in the call graph. Faults propagate from callee to caller (a slow
 * database makes every caller slow), so an anomalous service whose callees are all healthy is where
 * the anomaly starts; one that calls an anomalous service may only be feeling it. When the symptom
 * is known, a callee explains its caller only as far as the callee's own anomaly follows the
 * symptom (a callee that blipped once at the wrong time explains nothing), and a service the
 * symptom's service cannot reach along the calls cannot have caused it. Services that are not
 * anomalous themselves get nothing: the graph reorders suspects, it does not create them.
 */
export function graphEvidence(
  graph: ReadonlyArray<readonly [string, string]>,
  context: GraphContext,
  /** From explainedByCallees, which the symptom link's evidence reads too. */
  explainedShares: ReadonlyMap<string, ExplainedShare>,
  options: ResolvedRankOptions,
): Map<string, RootCauseEvidence> {
  const callees = calleesOf(graph);
  const reachable = context.symptomService !== undefined && callees.has(context.symptomService) ? reachableFrom(context.symptomService, callees) : undefined;
  const evidence = new Map<string, RootCauseEvidence>();
  for (const [service, zScore] of context.strongestZ) {
    if (zScore < options.anomalousZ) continue;
    if (reachable && !reachable.has(service)) {
      evidence.set(service, { kind: 'graph', summary: `no call path leads from ${context.symptomService} to it: it cannot explain the symptom`, weight: -options.graphBonus });
      continue;
    }
    const calls = [...(callees.get(service) ?? [])].sort();
    const { share, by } = explainedShares.get(service) ?? { share: 0, by: [] };
    const weight = options.graphBonus * (1 - share);
    if (by.length === 0) {
      const healthy = calls.length === 0 ? 'calls no other service' : `its dependencies (${calls.join(', ')}) look healthy`;
      evidence.set(service, { kind: 'graph', summary: `anomalous (${describeDeviation(zScore)}) while ${healthy}: the anomaly likely starts here`, weight });
    } else if (share >= 0.5) {
      evidence.set(service, { kind: 'graph', summary: `calls ${by.join(', ')}, anomalous too: it may only be feeling a dependency's fault`, weight });
    } else {
      evidence.set(service, { kind: 'graph', summary: `calls ${by.join(', ')}, anomalous too but not in step with the symptom: the anomaly likely starts here`, weight });
    }
  }
  return evidence;
}

/**
 * How much of each anomalous service's anomaly its anomalous callees explain, 0 to 1: without a
 * symptom, any anomalous callee explains it all; with one, the callee explains as much as its own
 * anomaly follows the symptom (its link's correlation), and no more than its own move in the
 * caller's linked metric can carry: a callee 10 ms slower cannot make its caller 300 ms slower, a
 * callee that lost 1% of its requests cannot cost its caller 5%.
 */
export interface ExplainedShare {
  /** 0 to 1. */
  share: number;
  /** Its anomalous callees. */
  by: string[];
  /** The callee that explains most, when one explains anything. */
  mostly?: string;
}

export function explainedByCallees(graph: ReadonlyArray<readonly [string, string]>, context: GraphContext, options: ResolvedRankOptions): Map<string, ExplainedShare> {
  const callees = calleesOf(graph);
  const isAnomalous = (service: string): boolean => (context.strongestZ.get(service) ?? 0) >= options.anomalousZ;
  const shares = new Map<string, ExplainedShare>();
  for (const [service, calls] of callees) {
    const by = [...calls].filter(isAnomalous).sort();
    const explains = (callee: string): number => {
      if (!context.links) return 1;
      const link = context.links.get(callee);
      if (!link) return 0;
      const metric = context.links.get(service)?.metric;
      const callerRise = metric === undefined ? undefined : harmfulRise(context.signals?.get(service), metric);
      const calleeRise = metric === undefined ? undefined : harmfulRise(context.signals?.get(callee), metric);
      return link.correlation * carriedShare(callerRise, calleeRise);
    };
    const explanations = by.map((callee) => ({ callee, share: explains(callee) })).sort((left, right) => right.share - left.share);
    const strongest = explanations[0];
    shares.set(service, { share: strongest?.share ?? 0, by, ...(strongest && strongest.share > 0 ? { mostly: strongest.callee } : {}) });
  }
  return shares;
}

/**
 * How much of the caller's rise the callee's can carry, 0 to 1 (1 when either is unmeasured). A
 * caller may call its callee many times per request, so a callee 40 ms slower can make its caller
 * 200 ms slower: the callee carries the rise when it moved as far in absolute terms or in
 * proportion to its own normal level. A callee that moved 10% cannot explain a caller that moved
 * tenfold, whatever the units.
 */
function carriedShare(caller: HarmfulRise | undefined, callee: HarmfulRise | undefined): number {
  if (caller === undefined || callee === undefined) return 1;
  if (caller.absolute <= 0) return 0;
  const absolute = callee.absolute / caller.absolute;
  const relative = caller.relative > 0 ? callee.relative / caller.relative : 0;
  return Math.min(1, Math.max(0, absolute, relative));
}

interface HarmfulRise {
  /** In the metric's own unit. */
  absolute: number;
  /** As a share of its normal level (0 when the normal level is 0: no proportion to speak of). */
  relative: number;
}

/** How far a metric moved the way that hurts; undefined when the service has no such metric. */
function harmfulRise(signals: readonly MetricSignal[] | undefined, metric: string): HarmfulRise | undefined {
  const signal = signals?.find((candidate) => candidate.metric === metric);
  if (!signal) return undefined;
  const rise = signal.observed - signal.normal;
  // Traffic and resources do not add up along calls (more load flows from caller to callee, not back): a callee carries none of them.
  const absolute = signal.direction === 'down' ? -rise : signal.direction === 'up' ? rise : 0;
  return { absolute, relative: signal.normal !== 0 ? absolute / Math.abs(signal.normal) : 0 };
}

function calleesOf(graph: ReadonlyArray<readonly [string, string]>): Map<string, Set<string>> {
  const callees = new Map<string, Set<string>>();
  for (const [caller, callee] of graph) {
    if (caller === callee) continue;
    if (!callees.has(caller)) callees.set(caller, new Set());
    callees.get(caller)!.add(callee);
  }
  return callees;
}
/** The service and every service it calls, directly or through others. */
function reachableFrom(start: string, callees: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const callee of callees.get(queue.shift()!) ?? []) {
      if (seen.has(callee)) continue;
      seen.add(callee);
      queue.push(callee);
    }
  }
  return seen;
}
