import { Metrics } from '../../src/telemetry/metrics.js';
import { read } from './repository-files.js';

/** Series names a metric type exposes beside or instead of its own name. */
const SERIES_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * Every series name a bot's /metrics can hold: src/telemetry/metrics.ts's registry as the bot role
 * builds it (with the incident and queue gauges and the process metrics), histograms as their
 * _bucket, _sum and _count series.
 */
export async function registeredSeriesNames(): Promise<Set<string>> {
  const metrics = new Metrics({ openIncidents: async () => [], incidentStates: async () => ({}), queueDepths: async () => [] });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const suffix of SERIES_SUFFIXES[String(metric.type)] ?? ['']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** The members of a string union type exported by src/telemetry/metrics.ts (`WebhookOutcome` -> accepted, invalid, …). */
export function metricsUnion(typeName: string): string[] {
  const declaration = new RegExp(`export type ${typeName} = ([^;]+);`).exec(read('src/telemetry/metrics.ts'));
  if (!declaration) throw new Error(`src/telemetry/metrics.ts: no type ${typeName}`);
  return [...(declaration[1] ?? '').matchAll(/'([^']+)'/g)].map((member) => member[1] ?? '');
}
