import { renderQuery, type Catalogue, type CatalogueService } from '../../catalogue.js';
import { AiopsError, ErrorCode, notFound } from '../../errors.js';
import type { MetricsSource, Series, TimeRange } from '../metrics.js';
import { SIGNALS, type Signal } from '../../signals.js';
import { writeOpenMetrics } from './openmetrics.js';
import type { ServiceSnapshot, SimWorld } from './world.js';

/**
 * The simulated world's metrics through the same interface as Prometheus. Raw PromQL is
 * answered only when it is one of the catalogue's own queries: the world has no PromQL engine,
 * and pretending otherwise would hand back numbers for a question it did not understand.
 */
export class SimulatedMetrics implements MetricsSource {
  readonly kind = 'sim' as const;
  private readonly knownQueries: Array<{ pattern: RegExp; service: string; signal: Signal }>;

  constructor(
    private readonly world: SimWorld,
    private readonly catalogue: Catalogue,
  ) {
    this.knownQueries = Object.values(catalogue.services).flatMap((service) =>
      SIGNALS.map((signal) => ({ pattern: queryPattern(catalogue, service, signal), service: service.name, signal })),
    );
  }

  async range(service: string, signal: Signal, range: TimeRange): Promise<Series> {
    const simulated = this.simulatedService(service);
    const step = range.stepSeconds * 1000;
    const end = Math.min(range.end.getTime(), this.world.clock.now());
    const samples = [];
    for (let time = range.start.getTime(); time <= end; time += step) {
      samples.push({ timestamp: time, value: signalValue(this.world.snapshot(simulated, time), signal) });
    }
    return { labels: { service, signal }, samples };
  }

  async instant(service: string, signal: Signal, at?: Date): Promise<number | undefined> {
    const time = Math.min(at?.getTime() ?? this.world.clock.now(), this.world.clock.now());
    return signalValue(this.world.snapshot(this.simulatedService(service), time), signal);
  }

  async queryRange(promql: string, range: TimeRange): Promise<Series[]> {
    const known = this.recognise(promql);
    return [await this.range(known.service, known.signal, range)];
  }

  async query(promql: string, at?: Date): Promise<Series[]> {
    const known = this.recognise(promql);
    const time = Math.min(at?.getTime() ?? this.world.clock.now(), this.world.clock.now());
    const value = await this.instant(known.service, known.signal, new Date(time));
    return [{ labels: { service: known.service, signal: known.signal }, samples: value === undefined ? [] : [{ timestamp: time, value }] }];
  }

  /**
   * The names the world exports to Prometheus (see openmetrics.ts), read from a one-minute export
   * so the list never drifts from what `aiops sim export --openmetrics` writes.
   */
  async metricNames(): Promise<string[]> {
    const now = this.world.clock.now();
    const names = new Set<string>();
    writeOpenMetrics(this.world, { start: now, end: now }, (chunk) => {
      for (const line of chunk.split('\n')) {
        const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1];
        if (name) names.add(name);
      }
    });
    return [...names].sort();
  }

  private recognise(promql: string): { service: string; signal: Signal } {
    const normalised = normaliseWhitespace(promql);
    const known = this.knownQueries.find((candidate) => candidate.pattern.test(normalised));
    if (!known) {
      throw new AiopsError(ErrorCode.Unsupported, 'the simulated world answers only the catalogue\'s own queries', {
        hint: 'set PROMETHEUS_URL to run arbitrary PromQL',
      });
    }
    return known;
  }

  /** The simulated deployment behind a catalogued service. */
  private simulatedService(service: string): string {
    const entry = this.catalogue.services[service];
    if (!entry) throw notFound(`service ${service}`, `the catalogue has ${Object.keys(this.catalogue.services).join(', ')}`);
    if (entry.namespace !== this.world.namespace || !this.world.services().includes(entry.deployment)) {
      throw notFound(`deployment ${entry.namespace}/${entry.deployment} in the simulated world`, `it has ${this.world.namespace}/{${this.world.services().join(',')}}`);
    }
    return entry.deployment;
  }
}

export function signalValue(snapshot: ServiceSnapshot, signal: Signal): number {
  switch (signal) {
    case 'cpu':
      return snapshot.cpuCores;
    case 'memory':
      return snapshot.memoryBytes;
    case 'request_rate':
      return snapshot.requestRate;
    case 'error_rate':
      return snapshot.errorRate;
    case 'latency_p95':
      return snapshot.latencyP95Seconds;
    case 'restarts':
      return snapshot.restartsInMinute;
  }
}

function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The catalogue's query for a service and signal, whatever rate window it was rendered with. */
function queryPattern(catalogue: Catalogue, service: CatalogueService, signal: Signal): RegExp {
  const marker = 'WINDOWMARKER';
  const rendered = normaliseWhitespace(renderQuery(catalogue, service, signal, { window: marker }));
  const escaped = rendered.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').split(marker).join('\\d+(?:ms|s|m|h)');
  return new RegExp(`^${escaped}$`);
}
