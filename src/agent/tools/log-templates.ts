import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import type { LogFinding } from '../../logs/log-anomalies.js';
import type { TemplateSummary } from '../../logs/template-summary.js';
import type { LogFindingLog } from '../../state/log-finding-log.js';
import type { MinedLogs } from '../../state/mined-logs.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface LogTemplatesDependencies {
  catalogue: Catalogue;
  /** The template counts log mining stored. */
  minedLogs: Pick<MinedLogs, 'templateSummary'>;
  logFindings: LogFindingLog;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  minutes: z.number().int().min(1).max(1440).default(15).describe('Window, minutes back (default 15)'),
});

const TEMPLATES_SHOWN = 8;
const FINDINGS_SHOWN = 5;
const MAXIMUM_TEXT_CHARACTERS = 200;

/**
 * What a service is logging, as templates with counts, the change against the hour before and one
 * example each, plus the log findings (new templates, bursts) mining raised: thousands of lines
 * read as a dozen rows.
 */
export function logTemplatesTool(dependencies: LogTemplatesDependencies): AgentTool<typeof schema> {
  return {
    name: 'log_templates',
    description:
      'The top log templates of a service over the last minutes (default 15) with line counts, the change against the usual rate ("new", "x12") and one example each, ' +
      'plus recent log findings (new templates, bursts). Use it to see what a service is complaining about.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const now = dependencies.now();
      const since = now - input.minutes * 60_000;
      let summary: TemplateSummary;
      let findings: LogFinding[];
      try {
        [summary, findings] = await Promise.all([
          dependencies.minedLogs.templateSummary(input.service, { now, minutes: input.minutes, limit: TEMPLATES_SHOWN }),
          dependencies.logFindings.since(input.service, since),
        ]);
      } catch (error) {
        return { ...toolFailure('Redis (mined log templates)', error), services: [input.service] };
      }
      const queries = [{ kind: 'logs' as const, text: `logs of ${input.service}`, start: summary.start, end: summary.end }];
      if (summary.totalLines === 0 && findings.length === 0) {
        return {
          status: 'no-data',
          output: `No mined log templates for ${input.service} in the last ${input.minutes} minutes (log mining may not have reached it yet); search_logs reads raw lines.`,
          queries,
          services: [input.service],
        };
      }
      const lines = [
        `Log templates of ${input.service}, ${formatUtcClock(summary.start)}–${formatUtcClock(summary.end)} UTC, ${summary.totalLines} lines:`,
        ...summary.rows.map((row) => {
          const change = row.change === 'new' ? 'new' : Number.isFinite(row.change) ? `x${row.change.toFixed(1)} vs usual` : 'usually none';
          return `- ${row.count} × [${row.level}] ${cut(row.template)} (${change})\n  e.g. ${cut(row.example)}`;
        }),
      ];
      if (summary.omitted > 0) lines.push(`… and ${summary.omitted} more templates`);
      if (findings.length > 0) {
        lines.push(`Log findings since ${formatUtcClock(since)} UTC (${findings.length}):`);
        for (const finding of findings.slice(0, FINDINGS_SHOWN)) lines.push(`- ${formatUtcClock(finding.bucketStart)} ${finding.kind}: ${cut(finding.summary)}`);
        if (findings.length > FINDINGS_SHOWN) lines.push(`… and ${findings.length - FINDINGS_SHOWN} more findings`);
      }
      return { status: 'ok', output: boundedOutput(lines.join('\n')), queries, services: [input.service] };
    },
  };
}

function cut(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return redactedExcerpt(line, MAXIMUM_TEXT_CHARACTERS);
}
