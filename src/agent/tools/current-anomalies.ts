import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import type { Anomaly } from '../../detection/anomaly.js';
import type { AnomalyLog } from '../../state/anomaly-log.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface CurrentAnomaliesDependencies {
  catalogue: Catalogue;
  anomalies: Pick<AnomalyLog, 'since'>;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().optional().describe('Only this catalogued service (default: every service)'),
  minutes: z.number().int().min(1).max(1440).default(60).describe('How far back, minutes (default 60)'),
});

const ANOMALIES_SHOWN = 15;
const MAXIMUM_SUMMARY_CHARACTERS = 200;

/** What the detectors found lately: the quickest way to see which services misbehave and since when. */
export function currentAnomaliesTool(dependencies: CurrentAnomaliesDependencies): AgentTool<typeof schema> {
  return {
    name: 'current_anomalies',
    description:
      'Anomalies the detectors found in the last minutes (default 60), for one service or all: which signals, severity, score and a one-line summary, newest first. A good first call.',
    schema,
    async run(input): Promise<ToolResult> {
      if (input.service !== undefined) {
        const lookup = knownService(dependencies.catalogue, input.service);
        if (lookup.failure) return lookup.failure;
      }
      const now = dependencies.now();
      const since = now - input.minutes * 60_000;
      let anomalies: Anomaly[];
      try {
        anomalies = await dependencies.anomalies.since(since);
      } catch (error) {
        return toolFailure('Redis (anomaly log)', error);
      }
      const matching = anomalies
        .filter((anomaly) => anomaly.detectedAt <= now && (input.service === undefined || anomaly.service === input.service))
        .sort((left, right) => right.detectedAt - left.detectedAt);
      const scope = input.service ?? 'any service';
      if (matching.length === 0) {
        return { status: 'no-data', output: `No anomalies for ${scope} since ${formatUtcClock(since)} UTC.`, services: input.service ? [input.service] : undefined };
      }
      const services = [...new Set(matching.map((anomaly) => anomaly.service))];
      const perService = services.map((service) => `${service} ${matching.filter((anomaly) => anomaly.service === service).length}`).join(', ');
      const lines = [
        `${matching.length} anomalies for ${scope} since ${formatUtcClock(since)} UTC (by service: ${perService}); newest ${Math.min(ANOMALIES_SHOWN, matching.length)}:`,
        ...matching.slice(0, ANOMALIES_SHOWN).map((anomaly) => {
          const summary = redactedExcerpt(anomaly.summary, MAXIMUM_SUMMARY_CHARACTERS);
          const kind = anomaly.kind === 'predictive' ? ' predictive' : '';
          return `- ${formatUtcClock(anomaly.detectedAt)} ${anomaly.severity}${kind} ${anomaly.service} [${anomaly.signals.join(', ')}] score ${anomaly.score.toFixed(2)}, since ${formatUtcClock(anomaly.evidence.start)}: ${summary}`;
        }),
      ];
      if (matching.length > ANOMALIES_SHOWN) lines.push(`… and ${matching.length - ANOMALIES_SHOWN} older anomalies`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services };
    },
  };
}
