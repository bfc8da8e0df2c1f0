import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import type { RootCauseRanking } from '../../rca/root-cause-input.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { unknownServices } from './known-service.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

/**
 * Collects evidence for the services and ranks them (the live collector): the ranking, when the
 * trouble started, a caveat the model must read first (e.g. nothing is in anomaly), the kind of
 * fault the first candidate shows with the advice it calls for, and the candidates' new error logs.
 */
export type RankRootCauses = (services: string[]) => Promise<RootCauseRanking & { anomalyStart?: number; caveat?: string; diagnosis?: string; logEvidence?: string[] }>;

export interface RankRootCausesDependencies {
  catalogue: Catalogue;
  rankRootCauses: RankRootCauses;
}

const schema = z.object({
  services: z.array(z.string()).optional().describe('Services to consider (default: every catalogued service); include the symptomatic one and its dependencies'),
});

const CAUSES_SHOWN = 5;
const EVIDENCE_SHOWN = 3;
const MAXIMUM_EVIDENCE_CHARACTERS = 200;

/** The deterministic root-cause engine's ranking, best first, each with its strongest evidence. */
export function rankRootCausesTool(dependencies: RankRootCausesDependencies): AgentTool<typeof schema> {
  return {
    name: 'rank_root_causes',
    description:
      'Ranks likely root-cause services from metrics, recent changes, cluster events and log findings (a deterministic engine) and returns the top 5 with their strongest evidence. ' +
      'Use it once the symptomatic services are known, then check the top suspects.',
    schema,
    async run(input): Promise<ToolResult> {
      const requested = input.services && input.services.length > 0 ? [...new Set(input.services)] : Object.keys(dependencies.catalogue.services);
      const unknown = requested.filter((service) => !(service in dependencies.catalogue.services));
      if (unknown.length > 0) return unknownServices(dependencies.catalogue, unknown);
      let result: Awaited<ReturnType<RankRootCauses>>;
      try {
        result = await dependencies.rankRootCauses(requested);
      } catch (error) {
        return toolFailure('The root-cause ranking', error);
      }
      if (result.ranking.length === 0) return { status: 'no-data', output: `No evidence to rank for ${requested.join(', ')}.` };
      const start = result.anomalyStart === undefined ? '' : ` for trouble starting ${formatUtcClock(result.anomalyStart)} UTC`;
      const top = result.ranking.slice(0, CAUSES_SHOWN);
      const lines = [...(result.caveat ? [result.caveat] : []), `Likely root causes${start}, best first (scores compare within this ranking only):`];
      top.forEach((cause, index) => {
        lines.push(`${index + 1}. ${cause.service} (score ${cause.score.toFixed(2)})`);
        for (const evidence of cause.evidence.slice(0, EVIDENCE_SHOWN)) {
          const summary = redactedExcerpt(evidence.summary, MAXIMUM_EVIDENCE_CHARACTERS);
          const at = evidence.at === undefined ? '' : ` [${formatUtcClock(evidence.at)}]`;
          lines.push(`   - ${evidence.kind}${at}: ${summary}`);
        }
        if (cause.evidence.length === 0) lines.push('   - no evidence recorded');
      });
      if (result.ranking.length > CAUSES_SHOWN) lines.push(`… ${result.ranking.length - CAUSES_SHOWN} more services ranked lower`);
      if (result.diagnosis) lines.push(`Likely kind of fault at ${result.diagnosis}`);
      if (result.logEvidence && result.logEvidence.length > 0) lines.push('New error logs since the trouble started:', ...result.logEvidence.map((line) => `- ${line}`));
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services: top.map((cause) => cause.service) };
    },
  };
}
