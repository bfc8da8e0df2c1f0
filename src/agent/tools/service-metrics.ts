import { z } from 'zod';
import { renderQuery, type Catalogue } from '../../catalogue.js';
import type { MetricsSource } from '../../sources/metrics.js';
import { SIGNALS, SIGNAL_MEANINGS, formatSignalValue, type Sample } from '../../signals.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import { formatRatio, seriesStatistics } from './series-statistics.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';

export interface ServiceMetricsDependencies {
  catalogue: Catalogue;
  metrics: MetricsSource;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name, e.g. order-service'),
  signal: z.enum(SIGNALS).describe('Which standard signal'),
  minutes: z.number().int().min(5).max(1440).default(60).describe('How far back to look, minutes (default 60)'),
});

/** Points a summary is computed from; more would only cost the backend time. */
const MAXIMUM_POINTS = 120;
/** The profile the model sees: enough to tell when a change began, few enough to stay a line or two. */
const PROFILE_POINTS = 12;
const HOUR_MILLISECONDS = 3_600_000;

/** A standard signal of a service, summarised against the hour before, with the PromQL behind it. */
export function serviceMetricsTool(dependencies: ServiceMetricsDependencies): AgentTool<typeof schema> {
  return {
    name: 'service_metrics',
    description:
      'Summary of one standard signal of a service (cpu, memory, request_rate, error_rate, latency_p95, restarts): last/min/median/max over the window, ' +
      'the change against the hour before, and a coarse profile over time. Use it to see whether and when a service changed.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const now = dependencies.now();
      const stepSeconds = Math.max(60, Math.ceil((input.minutes * 60) / MAXIMUM_POINTS / 60) * 60);
      const windowStart = now - input.minutes * 60_000;
      const earlierStart = windowStart - HOUR_MILLISECONDS;
      const promql = renderQuery(dependencies.catalogue, lookup.service, input.signal, { window: `${Math.round(1.5 * stepSeconds)}s` });
      const queries = [{ kind: 'promql' as const, text: promql, start: windowStart, end: now }];
      let samples: Sample[];
      try {
        samples = (await dependencies.metrics.range(input.service, input.signal, { start: new Date(earlierStart), end: new Date(now), stepSeconds })).samples;
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.metrics), error), queries, services: [input.service] };
      }
      const window = samples.filter((sample) => sample.timestamp >= windowStart);
      const earlier = samples.filter((sample) => sample.timestamp < windowStart);
      const statistics = seriesStatistics(window);
      if (!statistics) {
        return {
          status: 'no-data',
          output: `No ${input.signal} data for ${input.service} between ${formatUtcClock(windowStart)} and ${formatUtcClock(now)} UTC.`,
          queries,
          services: [input.service],
        };
      }
      const value = (number: number) => formatSignalValue(input.signal, number);
      const lines = [
        `${input.service} ${input.signal} (${SIGNAL_MEANINGS[input.signal]}), ${formatUtcClock(windowStart)}–${formatUtcClock(now)} UTC, ${statistics.count} samples at ${stepSeconds} s steps:`,
        `last ${value(statistics.last)} at ${formatUtcClock(statistics.lastAt)}; min ${value(statistics.minimum)}; median ${value(statistics.median)}; max ${value(statistics.maximum)}`,
        comparisonLine(earlier, window, value, earlierStart, windowStart),
        `profile: ${profile(window)
          .map((sample) => `${formatUtcClock(sample.timestamp)} ${value(sample.value)}`)
          .join(', ')}`,
      ];
      return { status: 'ok', output: boundedOutput(lines.join('\n')), queries, services: [input.service] };
    },
  };
}

function comparisonLine(earlier: Sample[], window: Sample[], value: (number: number) => string, start: number, end: number): string {
  const reference = seriesStatistics(earlier);
  const current = seriesStatistics(window);
  const span = `${formatUtcClock(start)}–${formatUtcClock(end)}`;
  if (!reference || !current) return `hour before (${span}): no data`;
  const departure = departureTime(window, reference);
  const since = departure === undefined ? '' : `; outside the hour before's range since ${formatUtcClock(departure)}`;
  return (
    `hour before (${span}): median ${value(reference.median)}, range ${value(reference.minimum)}–${value(reference.maximum)}; ` +
    `last is ${formatRatio(current.last, reference.median)} that median, window median ${formatRatio(current.median, reference.median)}${since}`
  );
}

/**
 * When the series left the band the hour before kept to and stayed out until now: the start of a
 * change, which a window median hides while the change is younger than half the window.
 */
function departureTime(window: Sample[], reference: { minimum: number; maximum: number; median: number }): number | undefined {
  const margin = Math.max(0.1 * Math.abs(reference.median), 0.5 * (reference.maximum - reference.minimum));
  const outside = (sample: Sample) => sample.value > reference.maximum + margin || sample.value < reference.minimum - margin;
  let index = window.length;
  while (index > 0 && outside(window[index - 1]!)) index -= 1;
  return index < window.length ? window[index]!.timestamp : undefined;
}

/** Evenly spaced samples, the newest always included, so the profile ends at "now". */
function profile(samples: Sample[]): Sample[] {
  if (samples.length <= PROFILE_POINTS) return samples;
  const stride = (samples.length - 1) / (PROFILE_POINTS - 1);
  return Array.from({ length: PROFILE_POINTS }, (_, index) => samples[Math.round(index * stride)]!);
}
