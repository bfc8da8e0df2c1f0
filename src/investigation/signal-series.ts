import type { CatalogueService } from '../catalogue.js';
import type { MetricSeries } from '../rca/root-cause-input.js';
import type { MetricsSource } from '../sources/metrics.js';
import { SIGNALS, SIGNAL_UNITS } from '../signals.js';

export interface SignalSeries {
  /** Every standard signal of the services read, each with its unit; signals without samples are left out. */
  series: MetricSeries[];
  /** What could not be read, one line each ("metrics: connect ECONNREFUSED …"). */
  problems: string[];
  /** The range read, ms since the epoch. */
  start: number;
  end: number;
}

/**
 * Every standard signal of these services over a range, as an investigation reads them: a
 * signal that fails leaves a problem line and no series rather than failing the answer.
 */
export async function readSignalSeries(metrics: MetricsSource, services: readonly CatalogueService[], range: { start: number; end: number; stepSeconds: number }): Promise<SignalSeries> {
  const problems = new Set<string>();
  const read = await Promise.all(
    services.flatMap((service) =>
      SIGNALS.map(async (signal): Promise<MetricSeries | undefined> => {
        try {
          const { samples } = await metrics.range(service.name, signal, { start: new Date(range.start), end: new Date(range.end), stepSeconds: range.stepSeconds });
          if (samples.length === 0) return undefined;
          return { service: service.name, metric: signal, unit: SIGNAL_UNITS[signal], timestamps: samples.map((sample) => sample.timestamp), values: samples.map((sample) => sample.value) };
        } catch (error) {
          problems.add(`metrics: ${(error as Error).message.split('\n')[0]}`);
          return undefined;
        }
      }),
    ),
  );
  return { series: read.filter((entry): entry is MetricSeries => entry !== undefined), problems: [...problems], start: range.start, end: range.end };
}
