import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { catalogueService, renderQuery, type Catalogue, type CatalogueService } from '../../catalogue.js';
import { AiopsError, ErrorCode, configError } from '../../errors.js';
import type { MetricsSource, Series, TimeRange } from '../metrics.js';
import type { Sample, Signal } from '../../signals.js';
import { withRetry, type RetryOptions } from '../retry.js';

export interface PrometheusMetricsOptions {
  /** Base URL of the Prometheus server (PROMETHEUS_URL), e.g. `http://prometheus:9090`. */
  url: string;
  /** Supplies the PromQL template of every standard signal and the services that exist. */
  catalogue: Catalogue;
  /** Per-attempt time limit in milliseconds (default 10 000). */
  timeoutMilliseconds?: number;
  /** Attempts per call, the first included (default 3). */
  attempts?: number;
}

const DEFAULTS = { timeoutMilliseconds: 10_000, attempts: 3 };

/**
 * The usual scrape interval (Prometheus's default): the step `instant` renders `{{window}}` for,
 * and the shortest step any window is rendered for, so the window is never under 90 s. At a 60 s
 * scrape interval, a shorter window sees one sample and no rate.
 */
const INSTANT_STEP_SECONDS = 60;

const BACKEND = 'prometheus';
const HINT = 'check PROMETHEUS_URL';

/**
 * Metrics from a real Prometheus through `prometheus-query`.
 *
 * NaN samples are dropped: PromQL yields NaN for 0/0, e.g. an error ratio while a service had no
 * traffic, and "no value" is what that means. prometheus-query parses values with `parseFloat`,
 * which reads Prometheus' `+Inf`/`-Inf` as NaN too, so those are dropped with them.
 */
export class PrometheusMetrics implements MetricsSource {
  readonly kind = 'prometheus' as const;
  private readonly settings: Required<PrometheusMetricsOptions>;

  constructor(options: PrometheusMetricsOptions) {
    this.settings = { ...DEFAULTS, ...options };
    if (!/^https?:\/\/[^/]/.test(this.settings.url)) {
      throw configError('PROMETHEUS_URL', `expected an http(s) URL, got "${this.settings.url}"`);
    }
  }

  async range(service: string, signal: Signal, range: TimeRange): Promise<Series> {
    const promql = this.signalQuery(service, signal, range.stepSeconds);
    const series = await this.queryRange(promql, range);
    // A template that returns several series is a catalogue mistake; the first is still an answer.
    return { labels: { service, signal }, samples: series[0]?.samples ?? [] };
  }

  async instant(service: string, signal: Signal, at?: Date): Promise<number | undefined> {
    const promql = this.signalQuery(service, signal, INSTANT_STEP_SECONDS);
    const series = await this.query(promql, at);
    return series[0]?.samples[0]?.value;
  }

  async queryRange(promql: string, range: TimeRange): Promise<Series[]> {
    const result = await this.call('range query', (driver) => driver.rangeQuery(promql, range.start, range.end, range.stepSeconds));
    return toSeries(result);
  }

  async query(promql: string, at?: Date): Promise<Series[]> {
    const result = await this.call('instant query', (driver) => driver.instantQuery(promql, at ?? new Date()));
    return toSeries(result);
  }

  async metricNames(): Promise<string[]> {
    // GET /api/v1/label/__name__/values: every name with a sample in the server's retention.
    const names = await this.call('metric names', (driver) => driver.labelValues('__name__'));
    return [...names].sort();
  }

  /** Resolves when Prometheus evaluates a trivial query; for start-up logging and readiness probes. */
  async ping(): Promise<void> {
    const series = await this.query('vector(1)');
    if (series[0]?.samples[0]?.value !== 1) {
      throw new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: vector(1) did not evaluate to 1`, { backend: BACKEND, hint: HINT });
    }
  }

  private signalQuery(name: string, signal: Signal, stepSeconds: number): string {
    const service = this.service(name);
    // 1.5 steps: at a scrape interval equal to the step, the window holds the samples at t and t - step
    // for any evaluation up to half a step after a scrape, whether its left edge is closed (2.x) or open (3.x).
    // Never under 1.5 usual scrape intervals: a 30 s step over a 60 s scrape would hold one sample and no rate.
    const window = `${Math.round(1.5 * Math.max(stepSeconds, INSTANT_STEP_SECONDS))}s`;
    return renderQuery(this.settings.catalogue, service, signal, { window });
  }

  private service(name: string): CatalogueService {
    const service = catalogueService(this.settings.catalogue, name);
    if (!service) {
      throw new AiopsError(ErrorCode.NotFound, `service "${name}" not found in the catalogue`, {
        hint: `catalogued services: ${Object.keys(this.settings.catalogue.services).join(', ')}`,
      });
    }
    return service;
  }

  private call<T>(operation: string, request: (driver: PrometheusDriver) => Promise<T>): Promise<T> {
    const retry: RetryOptions = {
      backend: BACKEND,
      hint: HINT,
      attempts: this.settings.attempts,
      timeoutMilliseconds: this.settings.timeoutMilliseconds,
    };
    return withRetry(
      operation,
      async (abort) => {
        try {
          return await request(this.driver(abort));
        } catch (error) {
          throw translateDriverError(error);
        }
      },
      retry,
    );
  }

  /** A driver per attempt, so that withRetry's deadline cancels the HTTP request it gave up on. */
  private driver(abort: AbortSignal): PrometheusDriver {
    return new PrometheusDriver({
      endpoint: this.settings.url,
      baseURL: '/api/v1/',
      timeout: this.settings.timeoutMilliseconds,
      requestInterceptor: {
        onFulfilled: (request) => {
          request.signal = abort;
          return request;
        },
      },
    });
  }
}

/** What prometheus-query throws: a plain object, never an Error. */
interface DriverFailure {
  errorType?: string;
  error?: string;
  httpStatus?: number;
  code?: string;
  prometheus?: { errorType?: string };
  original?: unknown;
}

/** An HTTP failure that withRetry's `isTransient` can read the status of. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns prometheus-query's thrown objects into errors withRetry understands: the query's own
 * mistakes stop at once as AIOPS_INPUT_INVALID with Prometheus' text; other answers carry their
 * HTTP status (5xx retried, 4xx not); network failures are plain Errors, retried.
 */
function translateDriverError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  let failure = error as DriverFailure;
  // The driver catches its own "not a Prometheus answer" error and rethrows it as a network error
  // ("unexpected network error") with the real one under `original`.
  const original = failure.original as DriverFailure | undefined;
  if (failure.errorType === 'network_error' && original?.errorType === 'client_error') failure = original;
  const text = oneLine(failure.error ?? '');
  if (failure.errorType === 'http_error' && failure.httpStatus !== undefined) {
    // 400 bad_data: the expression or a parameter does not parse; 422 execution: it cannot be evaluated.
    if (failure.httpStatus === 400 || failure.httpStatus === 422) {
      return new AiopsError(ErrorCode.InputInvalid, `${BACKEND} rejected the query: ${text}`, { backend: BACKEND, cause: error });
    }
    const kind = failure.prometheus?.errorType ? ` ${failure.prometheus.errorType}` : '';
    return new HttpFailure(failure.httpStatus, `HTTP ${failure.httpStatus}${kind}: ${text}`);
  }
  if (failure.errorType === 'client_error') {
    // The driver drops the HTTP status here, so a proxy's error page reads the same as a wrong URL.
    return new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: the answer is not a Prometheus API response`, {
      backend: BACKEND,
      hint: `${HINT}: it should be the server's base URL, without /api/v1`,
      cause: error,
    });
  }
  const code = failure.code && !text.includes(failure.code) ? failure.code : '';
  return new Error([code, text].filter(Boolean).join(': ') || 'network error', { cause: error });
}

function toSeries(result: QueryResult): Series[] {
  switch (result.resultType) {
    case 'matrix':
      return (result.result as Array<{ metric: DriverMetric | null; values: Array<{ time: Date; value: number }> }>).map((vector) => ({
        labels: labelsOf(vector.metric),
        samples: vector.values.map(({ time, value }) => ({ timestamp: time.getTime(), value })).filter(isNumber),
      }));
    case 'vector':
      return (result.result as Array<{ metric: DriverMetric | null; value: { time: Date; value: number } }>).map((vector) => ({
        labels: labelsOf(vector.metric),
        samples: [{ timestamp: vector.value.time.getTime(), value: vector.value.value }].filter(isNumber),
      }));
    case 'scalar': {
      // The driver leaves scalars as Prometheus sent them: [seconds, "value"].
      const [seconds, value] = result.result as unknown as [number, string];
      return [{ labels: {}, samples: [{ timestamp: Math.round(seconds * 1000), value: Number(value) }].filter(isNumber) }];
    }
    default:
      throw new AiopsError(ErrorCode.InputInvalid, `${BACKEND}: the expression returns a ${result.resultType}, expected numbers`, {
        backend: BACKEND,
      });
  }
}

interface DriverMetric {
  name?: string;
  labels?: object;
}

/** Prometheus' own labels; the driver moves `__name__` out of them, so it goes back in. */
function labelsOf(metric: DriverMetric | null): Record<string, string> {
  const labels = { ...((metric?.labels ?? {}) as Record<string, string>) };
  if (metric?.name) labels.__name__ = metric.name;
  return labels;
}

function isNumber(sample: Sample): boolean {
  return !Number.isNaN(sample.value);
}

/** Prometheus puts the reason last in long messages ("found duplicate series …; many-to-many matching not allowed"), so keep both ends. */
function oneLine(text: string, limit = 400): string {
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length <= limit ? line : `${line.slice(0, limit / 2)} … ${line.slice(-limit / 2)}`;
}
