import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';

/**
 * A node that only its callers measure: a tracing service map names the far end of a call it cannot
 * see into after the caller's view of it (AWS X-Ray's `<endpoint>_remote` and `<service>_client`
 * nodes, a load balancer in front of the real service). Whatever is slow or failing behind it shows
 * on it first and just as strongly, so its evidence is the service's behind it: it keeps
 * callerViewShare of its score, and says why.
 */
export function callerSideView(service: string, evidence: readonly RootCauseEvidence[], options: ResolvedRankOptions): RootCauseEvidence | undefined {
  if (!options.callerViewPattern.test(service)) return undefined;
  const score = evidence.reduce((sum, item) => sum + item.weight, 0);
  if (score <= 0) return undefined;
  return { kind: 'graph', summary: 'measured only from its callers’ side (a remote endpoint or a client view): the fault may lie behind it', weight: -(1 - options.callerViewShare) * score };
}
