import { z } from 'zod';
import type { MetricsSource, Series } from '../../sources/metrics.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { formatNumber } from '../../format-number.js';
import { seriesStatistics } from './series-statistics.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface PromqlQueryDependencies {
  metrics: MetricsSource;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  expression: z.string().min(1).describe('A PromQL expression returning numbers, e.g. sum by (pod) (rate(http_requests_total{code=~"5.."}[5m]))'),
  minutes: z.number().int().min(1).max(1440).default(60).describe('How far back to look, minutes (default 60)'),
  stepSeconds: z.number().int().min(15).max(3600).optional().describe('Resolution in seconds (default: about 120 points over the window)'),
});

/** Series shown; the rest are counted. */
const TOP_SERIES = 10;
const MAXIMUM_POINTS = 120;
const MAXIMUM_LABELS_CHARACTERS = 160;
const MAXIMUM_LABEL_VALUE_CHARACTERS = 60;

/** Raw PromQL over a range, each series summarised, the largest (by last value) first. */
export function promqlQueryTool(dependencies: PromqlQueryDependencies): AgentTool<typeof schema> {
  return {
    name: 'promql_query',
    description:
      'Runs a raw PromQL range query and summarises each returned series (last/min/median/max), the 10 with the highest last value first. ' +
      'Use it for metrics the standard signals do not cover; find names with list_metrics first.',
    schema,
    async run(input): Promise<ToolResult> {
      const now = dependencies.now();
      const start = now - input.minutes * 60_000;
      const stepSeconds = input.stepSeconds ?? Math.max(15, Math.ceil((input.minutes * 60) / MAXIMUM_POINTS));
      const queries = [{ kind: 'promql' as const, text: input.expression, start, end: now }];
      let series: Series[];
      try {
        series = await dependencies.metrics.queryRange(input.expression, { start: new Date(start), end: new Date(now), stepSeconds });
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.metrics), error), queries };
      }
      const summarised = series
        .map((one) => ({ labels: one.labels, statistics: seriesStatistics(one.samples) }))
        .filter((one): one is { labels: Record<string, string>; statistics: NonNullable<typeof one.statistics> } => one.statistics !== undefined)
        .sort((left, right) => right.statistics.last - left.statistics.last);
      const span = `${formatUtcClock(start)}–${formatUtcClock(now)} UTC`;
      if (summarised.length === 0) return { status: 'no-data', output: `The expression returned no data for ${span}.`, queries };
      const lines = [`${summarised.length} series, ${span}, ${stepSeconds} s steps; ${summarised.length > TOP_SERIES ? `top ${TOP_SERIES} ` : ''}by last value:`];
      for (const { labels, statistics } of summarised.slice(0, TOP_SERIES)) {
        lines.push(
          `- ${compactLabels(labels)}: last ${formatNumber(statistics.last)} at ${formatUtcClock(statistics.lastAt)}; min ${formatNumber(statistics.minimum)}; median ${formatNumber(statistics.median)}; max ${formatNumber(statistics.maximum)}`,
        );
      }
      if (summarised.length > TOP_SERIES) lines.push(`… and ${summarised.length - TOP_SERIES} more series; aggregate (sum by/topk) to see them.`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), queries };
    },
  };
}

/** `http_requests_total{code="500",pod="cart-7f…"}`, each value and the whole cut short. */
export function compactLabels(labels: Record<string, string>): string {
  const name = labels.__name__ ?? '';
  const pairs = Object.entries(labels)
    .filter(([key]) => key !== '__name__')
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([key, value]) => `${key}="${redactedExcerpt(value, MAXIMUM_LABEL_VALUE_CHARACTERS)}"`);
  const text = pairs.length === 0 ? name || '{}' : `${name}{${pairs.join(',')}}`;
  return redactedExcerpt(text, MAXIMUM_LABELS_CHARACTERS);
}
