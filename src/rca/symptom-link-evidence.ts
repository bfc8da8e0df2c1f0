import type { ExplainedShare } from './graph-position.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';
import type { SymptomLink } from './symptom-link.js';

/**
 * Each linked service's evidence: symptomLinkWeight × its correlation with the symptom, less the
 * share its anomalous callees explain (a caller feels the symptom through the callee that causes
 * it, so along a chain only the deepest keeps the link).
 *
 * @param explained each service's share explained by its callees (explainedByCallees); empty without a graph
 */
export function symptomLinkEvidence(
  links: ReadonlyMap<string, SymptomLink>,
  symptomService: string | undefined,
  explained: ReadonlyMap<string, ExplainedShare>,
  options: ResolvedRankOptions,
): Map<string, RootCauseEvidence> {
  const evidence = new Map<string, RootCauseEvidence>();
  for (const [service, link] of links) {
    const share = explained.get(service)?.share ?? 0;
    const weight = options.symptomLinkWeight * link.correlation * (1 - share);
    if (weight <= 0) continue;
    const mostly = explained.get(service)?.mostly;
    const through = share >= 0.5 && mostly !== undefined ? `, mostly through ${mostly}` : '';
    const summary = `${link.metric} moves with ${symptomService}'s ${link.symptomMetric} (correlation ${link.correlation.toFixed(2)})${through}`;
    evidence.set(service, { kind: 'graph', summary, weight, metric: link.metric });
  }
  return evidence;
}
