import { renderQuery, type Catalogue, type CatalogueService } from '../../catalogue.js';
import { AiopsError, ErrorCode, notFound } from '../../errors.js';
import type { MetricsSource, Series, TimeRange } from '../metrics.js';
import { SIGNALS, type Signal } from '../../signals.js';
import { writeOpenMetrics } from './openmetrics.js';
import { TICK_MILLISECONDS, tickOf, type ServiceSnapshot, type SimWorld } from './world.js';

const DAY_MILLISECONDS = 86_400_000;
const TICKS_PER_DAY = DAY_MILLISECONDS / TICK_MILLISECONDS;
/** Days of values kept per deployment: the longest history read (two weeks, for forecasts) and some. */
const DAYS_KEPT = 21;
/**
 * Longest stretch the process's range reads, together, simulate before they let the event loop
 * turn. A day of the estate takes seconds to simulate the first time (`aiops ask` reads one before
 * it answers, a worker's first passes too), and a loop held that long times out the Redis commands
 * waiting behind it (2 s) and Slack's acknowledgements (3 s).
 */
const SIMULATION_SLICE_MILLISECONDS = 20;

/**
 * The simulated world's metrics through the same interface as Prometheus. Raw PromQL is
 * answered only when it is one of the catalogue's own queries: the world has no PromQL engine,
 * and pretending otherwise would hand back numbers for a question it did not understand.
 */
export class SimulatedMetrics implements MetricsSource {
  readonly kind = 'sim' as const;
  private readonly knownQueries: Array<{ pattern: RegExp; service: string; signal: Signal }>;
  /**
   * The six signals' values by deployment, day and minute, as read before: one float each. A
   * catalogue of many services over the world's ten deployments (bench/scale-catalogue.ts) reads
   * the same values again and again, forecasts read two weeks of them, and a full snapshot of
   * every minute is too large to keep for long. NaN: not read yet. Valid while the world's revision is.
   */
  private readonly values = new Map<string, Map<number, Float64Array>>();
  private valuesRevision = -1;
  /** Snapshots simulated so far, and when the current slice of simulation began (see SIMULATION_SLICE_MILLISECONDS). */
  private snapshotsSimulated = 0;
  private sliceStart = performance.now();
  private nextTurn?: Promise<void>;

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
    const column = SIGNALS.indexOf(signal);
    for (let time = range.start.getTime(); time <= end; time += step) {
      const before = this.snapshotsSimulated;
      samples.push({ timestamp: time, value: this.valueAt(simulated, time, column) });
      if (this.snapshotsSimulated !== before && performance.now() - this.sliceStart > SIMULATION_SLICE_MILLISECONDS) await this.loopTurn();
    }
    return { labels: { service, signal }, samples };
  }

  async instant(service: string, signal: Signal, at?: Date): Promise<number | undefined> {
    const time = Math.min(at?.getTime() ?? this.world.clock.now(), this.world.clock.now());
    return this.valueAt(this.simulatedService(service), time, SIGNALS.indexOf(signal));
  }

  /**
   * One turn of the event loop, shared: every read that finds the slice spent waits for the same
   * turn, so the reads in flight together simulate for one slice per turn, not one slice each.
   * setImmediate, not a resolved promise: microtasks would run before any I/O.
   */
  private loopTurn(): Promise<void> {
    this.nextTurn ??= new Promise((resolve) =>
      setImmediate(() => {
        this.nextTurn = undefined;
        this.sliceStart = performance.now();
        resolve();
      }),
    );
    return this.nextTurn;
  }

  /** `signalValue(world.snapshot(deployment, time), SIGNALS[column])`, read through the values kept. */
  private valueAt(deployment: string, time: number, column: number): number {
    if (this.valuesRevision !== this.world.revision) {
      this.values.clear();
      this.valuesRevision = this.world.revision;
    }
    const tick = tickOf(time);
    const day = Math.floor(tick / DAY_MILLISECONDS);
    let days = this.values.get(deployment);
    if (!days) this.values.set(deployment, (days = new Map()));
    let block = days.get(day);
    if (!block) {
      block = new Float64Array(TICKS_PER_DAY * SIGNALS.length).fill(Number.NaN);
      days.set(day, block);
      // Maps keep insertion order: the first key is the day added longest ago.
      if (days.size > DAYS_KEPT) days.delete(days.keys().next().value!);
    }
    const slot = ((tick - day * DAY_MILLISECONDS) / TICK_MILLISECONDS) * SIGNALS.length;
    const kept = block[slot + column]!;
    if (!Number.isNaN(kept)) return kept;
    const snapshot = this.world.snapshot(deployment, time);
    this.snapshotsSimulated += 1;
    SIGNALS.forEach((each, index) => (block[slot + index] = signalValue(snapshot, each)));
    return block[slot + column]!;
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
