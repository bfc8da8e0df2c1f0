import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../../src/catalogue.js';
import { AiopsError, ErrorCode } from '../../../src/errors.js';
import type { Series } from '../../../src/sources/metrics.js';
import { PrometheusMetrics } from '../../../src/sources/prometheus/prometheus-metrics.js';
import { startPrometheus, type PrometheusServer } from '../../support/prometheus-server.js';
import { skipWithout } from '../../support/requirements.js';

/*
 * Three hours of one-minute history for two services of the example catalogue, backfilled into a
 * real Prometheus, read back through the catalogue's own templates.
 *
 * Counters grow by (per-second value x 60) between one minute and the next, so the expected rate
 * at minute i is exactly minute i's value. Checked against Prometheus 2.42's extrapolatedRate:
 * a 90 s window at a sample-aligned evaluation time holds the samples at t-60 and t (t-90 has
 * none, and 2.42's window is closed at both ends, so 60 s would also hold both). Each end lies
 * within 1.1 x the 60 s sample spacing of the window edge (30 s and 0 s), so Prometheus
 * extrapolates to the whole 90 s: increase = delta x 90/60, rate = increase / 90 = delta / 60.
 * The exception is its zero-point rule: when the first sample is below half the delta, it assumes
 * the counter started at zero in between and stops extrapolating there; counters here start high
 * enough to avoid it, except one restart counter that shows the effect on purpose.
 * An evaluation more than 30 s past a sample sees a single sample and yields nothing.
 */

const MINUTE = 60_000;
const MINUTES = 180;
const END = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
const START = END - MINUTES * MINUTE;
const at = (minute: number) => START + minute * MINUTE;

const INCIDENT = { from: 120, to: 150 };
const PAYMENT_IDLE = { from: 60, to: 70 };
const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
/** Requests per 1,000 in each latency bucket (not cumulative). */
const NORMAL_SHAPE = [600, 240, 120, 30, 6, 3, 1];
const INCIDENT_SHAPE = [300, 200, 200, 150, 90, 50, 10];

interface Pod {
  service: 'order-service' | 'payment';
  name: string;
  index: number;
}

const PODS: Pod[] = [
  { service: 'order-service', name: 'order-service-7d9f8b6c5-x2k4p', index: 0 },
  { service: 'order-service', name: 'order-service-7d9f8b6c5-q8m3z', index: 1 },
  { service: 'payment', name: 'payment-6b7c8d9f4-h5j7k', index: 0 },
];

const inIncident = (pod: Pod, minute: number) => pod.service === 'order-service' && minute >= INCIDENT.from && minute < INCIDENT.to;

/** Requests the pod served during the minute ending at `minute`; multiples of 1,000 keep every bucket whole. */
function requests(pod: Pod, minute: number): number {
  if (pod.service === 'payment') return minute >= PAYMENT_IDLE.from && minute < PAYMENT_IDLE.to ? 0 : 1000 * (1 + (minute % 2));
  return 1000 * (3 + ((minute + pod.index) % 3));
}

function requestsByCode(pod: Pod, minute: number): Record<string, number> {
  const thousands = requests(pod, minute) / 1000;
  const serverErrors = inIncident(pod, minute) ? 50 : 2;
  return { '200': thousands * (1000 - serverErrors - 1 - 10), '404': thousands * 10, '500': thousands * serverErrors, '503': thousands };
}

/** CPU seconds used during the minute: 60 x cores, whole numbers so that the counters stay exact. */
function cpuSeconds(pod: Pod, minute: number): number {
  const base = 15 + 3 * ((minute * 7 + pod.index * 3) % 5);
  return inIncident(pod, minute) ? base * 2 : base;
}

function memoryBytes(pod: Pod, minute: number): number {
  const mebibyte = 1024 * 1024;
  return pod.service === 'order-service' ? (256 + minute + 16 * pod.index) * mebibyte : (128 + (minute % 10)) * mebibyte;
}

/** Restarts by the end of the minute; payment's first-ever restart shows Prometheus' zero-point rule. */
function restartCount(pod: Pod, minute: number): number {
  if (pod.service === 'payment') return minute >= 90 ? 1 : 0;
  if (pod.index === 1) return 2;
  return 2 + (minute >= 130 ? 1 : 0) + (minute >= 140 ? 1 : 0);
}

/** Cumulative counter values at minutes 0..MINUTES from per-minute increments. */
function counter(base: number, increment: (minute: number) => number): number[] {
  const values = [base];
  for (let minute = 1; minute <= MINUTES; minute += 1) values.push((values[minute - 1] ?? 0) + increment(minute));
  return values;
}

function labels(values: Record<string, string>): string {
  return `{${Object.entries(values)
    .map(([name, value]) => `${name}="${value}"`)
    .join(',')}}`;
}

function historyText(): string {
  const lines: string[] = [];
  const minutes = Array.from({ length: MINUTES + 1 }, (_, minute) => minute);
  const emit = (name: string, labelText: string, values: number[]) =>
    values.forEach((value, minute) => lines.push(`${name}${labelText} ${value} ${at(minute) / 1000}`));

  lines.push('# TYPE container_cpu_usage_seconds counter');
  for (const pod of PODS) {
    const usage = counter(500_000, (minute) => cpuSeconds(pod, minute));
    emit('container_cpu_usage_seconds_total', labels({ namespace: 'shop', pod: pod.name, container: pod.service }), usage);
    // cAdvisor's pod-level cgroup repeats the pod's total with container=""; the templates must not count it twice.
    emit('container_cpu_usage_seconds_total', labels({ namespace: 'shop', pod: pod.name, container: '' }), usage);
  }
  lines.push('# TYPE container_memory_working_set_bytes gauge');
  for (const pod of PODS) {
    const bytes = minutes.map((minute) => memoryBytes(pod, minute));
    emit('container_memory_working_set_bytes', labels({ namespace: 'shop', pod: pod.name, container: pod.service }), bytes);
    emit('container_memory_working_set_bytes', labels({ namespace: 'shop', pod: pod.name, container: '' }), bytes);
  }
  lines.push('# TYPE http_requests counter');
  for (const pod of PODS) {
    for (const code of ['200', '404', '500', '503']) {
      const total = counter(1_000_000, (minute) => requestsByCode(pod, minute)[code] ?? 0);
      emit('http_requests_total', labels({ namespace: 'shop', service: pod.service, pod: pod.name, code }), total);
    }
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const pod of PODS) {
    // An OpenMetrics histogram point is its buckets, count and sum together, one timestamp at a time.
    const cumulative = BUCKETS.map((_, bucket) =>
      counter(1_000_000, (minute) => {
        const shape = inIncident(pod, minute) ? INCIDENT_SHAPE : NORMAL_SHAPE;
        return (requests(pod, minute) / 1000) * shape.slice(0, bucket + 1).reduce((sum, count) => sum + count, 0);
      }),
    );
    const seriesLabels = { namespace: 'shop', service: pod.service, pod: pod.name };
    for (const minute of minutes) {
      const timestamp = at(minute) / 1000;
      BUCKETS.forEach((le, bucket) =>
        lines.push(`http_request_duration_seconds_bucket${labels({ ...seriesLabels, le })} ${cumulative[bucket]?.[minute]} ${timestamp}`),
      );
      const count = cumulative[BUCKETS.length - 1]?.[minute] ?? 0;
      lines.push(`http_request_duration_seconds_count${labels(seriesLabels)} ${count} ${timestamp}`);
      lines.push(`http_request_duration_seconds_sum${labels(seriesLabels)} ${count * 0.08} ${timestamp}`);
    }
  }
  lines.push('# TYPE kube_pod_container_status_restarts counter');
  for (const pod of PODS) {
    const restarts = minutes.map((minute) => restartCount(pod, minute));
    emit('kube_pod_container_status_restarts_total', labels({ namespace: 'shop', pod: pod.name, container: pod.service }), restarts);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

const servicePods = (service: string) => PODS.filter((pod) => pod.service === service);
const sumOver = (service: string, value: (pod: Pod) => number) => servicePods(service).reduce((sum, pod) => sum + value(pod), 0);

const expected = {
  cpu: (service: string, minute: number) => sumOver(service, (pod) => cpuSeconds(pod, minute)) / 60,
  memory: (service: string, minute: number) => sumOver(service, (pod) => memoryBytes(pod, minute)),
  requestRate: (service: string, minute: number) => sumOver(service, (pod) => requests(pod, minute)) / 60,
  errorRate: (service: string, minute: number) =>
    sumOver(service, (pod) => (requestsByCode(pod, minute)['500'] ?? 0) + (requestsByCode(pod, minute)['503'] ?? 0)) /
    sumOver(service, (pod) => requests(pod, minute)),
  /*
   * histogram_quantile(0.95) by hand. Normal minutes, per 1,000 requests cumulative by le:
   * 600, 840, 960, 990, 996, 999, 1000; rank 950 falls in (0.1, 0.25] holding 120, 110 of them
   * below the rank: 0.1 + 0.15 x 110/120 = 0.2375. Incident minutes: 300, 500, 700, 850, 940,
   * 990, 1000; rank 950 falls in (1, 2.5] holding 50, 10 below the rank: 1 + 1.5 x 10/50 = 1.3.
   * Traffic scales every bucket alike, so the quantile does not depend on it.
   */
  latencyP95: (service: string, minute: number) => (inIncident(servicePods(service)[0] as Pod, minute) ? 1.3 : 0.2375),
};

function expectClose(actual: number | undefined, wanted: number, context = ''): void {
  expect(actual, context).toBeDefined();
  const tolerance = 1e-9 * Math.max(Math.abs(wanted), 1e-3);
  expect(Math.abs((actual as number) - wanted), `${context}: ${actual} vs ${wanted}`).toBeLessThanOrEqual(tolerance);
}

/** Checks one sample per minute from `first` to `last` against `wanted`, timestamps included. */
function expectMinutes(series: Series, first: number, last: number, wanted: (minute: number) => number): void {
  expect(series.samples.map((sample) => sample.timestamp)).toEqual(Array.from({ length: last - first + 1 }, (_, index) => at(first + index)));
  series.samples.forEach((sample, index) => expectClose(sample.value, wanted(first + index), `minute ${first + index}`));
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 9}`;
}

async function caught(promise: Promise<unknown>): Promise<AiopsError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AiopsError);
  return error as AiopsError;
}

describe.skipIf(skipWithout('prometheus', 'PrometheusMetrics against a real Prometheus'))('PrometheusMetrics against a real Prometheus', () => {
  let server: PrometheusServer;
  let catalogue: Catalogue;
  let metrics: PrometheusMetrics;
  const wholeHistory = { start: new Date(at(1)), end: new Date(at(MINUTES)), stepSeconds: 60 };

  beforeAll(async () => {
    server = await startPrometheus(historyText());
    catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
    metrics = new PrometheusMetrics({ url: server.url, catalogue });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers a readiness ping', async () => {
    await expect(metrics.ping()).resolves.toBeUndefined();
  });

  it('reads cpu in cores over the whole history, counting each container once', async () => {
    const series = await metrics.range('order-service', 'cpu', wholeHistory);
    expect(series.labels).toEqual({ service: 'order-service', signal: 'cpu' });
    expectMinutes(series, 1, MINUTES, (minute) => expected.cpu('order-service', minute));
    expectMinutes(await metrics.range('payment', 'cpu', wholeHistory), 1, MINUTES, (minute) => expected.cpu('payment', minute));
  });

  it('reads memory as the working set summed over pods', async () => {
    const series = await metrics.range('order-service', 'memory', { ...wholeHistory, start: new Date(at(0)) });
    expectMinutes(series, 0, MINUTES, (minute) => expected.memory('order-service', minute));
  });

  it('reads the request rate in requests per second', async () => {
    for (const service of ['order-service', 'payment']) {
      expectMinutes(await metrics.range(service, 'request_rate', wholeHistory), 1, MINUTES, (minute) => expected.requestRate(service, minute));
    }
  });

  it('reads the error rate as a fraction, dropping the NaN of minutes without traffic', async () => {
    expectMinutes(await metrics.range('order-service', 'error_rate', wholeHistory), 1, MINUTES, (minute) =>
      expected.errorRate('order-service', minute),
    );
    const payment = await metrics.range('payment', 'error_rate', wholeHistory);
    const idle = (timestamp: number) => timestamp >= at(PAYMENT_IDLE.from) && timestamp < at(PAYMENT_IDLE.to);
    expect(payment.samples).toHaveLength(MINUTES - (PAYMENT_IDLE.to - PAYMENT_IDLE.from));
    expect(payment.samples.some((sample) => idle(sample.timestamp))).toBe(false);
    for (const sample of payment.samples) expectClose(sample.value, expected.errorRate('payment', (sample.timestamp - START) / MINUTE));
  });

  it('reads the 95th percentile latency through histogram_quantile', async () => {
    const series = await metrics.range('order-service', 'latency_p95', wholeHistory);
    expectMinutes(series, 1, MINUTES, (minute) => expected.latencyP95('order-service', minute));
    expectClose(series.samples[INCIDENT.from - 1]?.value, 1.3, 'first incident minute');
    expectClose(series.samples[INCIDENT.from - 2]?.value, 0.2375, 'last normal minute');
  });

  it('reads restarts per minute, and shows how Prometheus reads a counter leaving zero', async () => {
    const orders = await metrics.range('order-service', 'restarts', wholeHistory);
    expectMinutes(orders, 1, MINUTES, (minute) => (minute === 130 || minute === 140 ? 1 : 0));
    // 0 -> 1: the zero-point rule stops extrapolation at the first sample, so 1 x 60/90 per minute.
    const payment = await metrics.range('payment', 'restarts', wholeHistory);
    expectClose(payment.samples.find((sample) => sample.timestamp === at(90))?.value, 2 / 3, 'first restart');
  });

  it('takes the step into account: a 5-minute step renders a 450 s window', async () => {
    const series = await metrics.range('order-service', 'request_rate', { start: new Date(at(100)), end: new Date(at(110)), stepSeconds: 300 });
    expect(series.samples.map((sample) => sample.timestamp)).toEqual([at(100), at(105), at(110)]);
    // 450 s holds 8 samples 60 s apart: the rate is the mean of the 7 minutes they span, extrapolated alike.
    const mean = (last: number) => Array.from({ length: 7 }, (_, index) => expected.requestRate('order-service', last - index)).reduce((a, b) => a + b) / 7;
    series.samples.forEach((sample, index) => expectClose(sample.value, mean(100 + 5 * index), `step ${index}`));
  });

  it('reads rates at a step shorter than the scrape interval: the window never drops under 90 s', async () => {
    const series = await metrics.range('order-service', 'request_rate', { start: new Date(at(100)), end: new Date(at(102)), stepSeconds: 30 });
    expect(series.samples.map((sample) => sample.timestamp)).toEqual([at(100), at(100) + 30_000, at(101), at(101) + 30_000, at(102)]);
    expect(series.samples.every((sample) => Number.isFinite(sample.value) && sample.value > 0)).toBe(true);
  });

  it('reads instant values at a given time, tolerating up to 30 s past a sample', async () => {
    const minute = INCIDENT.from + 3;
    expectClose(await metrics.instant('order-service', 'cpu', new Date(at(minute))), expected.cpu('order-service', minute), 'cpu');
    expectClose(await metrics.instant('order-service', 'memory', new Date(at(minute))), expected.memory('order-service', minute), 'memory');
    expectClose(await metrics.instant('payment', 'request_rate', new Date(at(42) + 20_000)), expected.requestRate('payment', 42), 'request_rate');
    expectClose(await metrics.instant('order-service', 'error_rate', new Date(at(minute))), expected.errorRate('order-service', minute), 'error_rate');
    expectClose(await metrics.instant('order-service', 'latency_p95', new Date(at(minute))), 1.3, 'latency_p95');
  });

  it('answers undefined and empty samples where there is no data', async () => {
    expect(await metrics.instant('order-service', 'cpu', new Date(START - 60 * MINUTE))).toBeUndefined();
    expect(await metrics.instant('payment', 'error_rate', new Date(at(PAYMENT_IDLE.from + 2)))).toBeUndefined();
    const cart = await metrics.range('cart', 'cpu', wholeHistory);
    expect(cart).toEqual({ labels: { service: 'cart', signal: 'cpu' }, samples: [] });
  });

  it('uses the first series when a template returns several', async () => {
    const perPod = 'rate(container_cpu_usage_seconds_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*",container!=""}[{{window}}])';
    const orderService = catalogue.services['order-service'];
    if (!orderService) throw new Error('order-service missing from the example catalogue');
    const mistaken = new PrometheusMetrics({
      url: server.url,
      catalogue: { ...catalogue, services: { ...catalogue.services, 'order-service': { ...orderService, queries: { cpu: perPod } } } },
    });
    const series = await mistaken.range('order-service', 'cpu', { start: new Date(at(10)), end: new Date(at(10)), stepSeconds: 60 });
    expect(series.samples).toHaveLength(1);
    const perPodCores = servicePods('order-service').map((pod) => cpuSeconds(pod, 10) / 60);
    expect(perPodCores.some((cores) => Math.abs(cores - (series.samples[0]?.value ?? NaN)) < 1e-9)).toBe(true);
  });

  it('runs raw range queries and returns every series with its labels', async () => {
    const series = await metrics.queryRange('sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop",container!=""}[90s]))', {
      start: new Date(at(50)),
      end: new Date(at(55)),
      stepSeconds: 60,
    });
    expect(series.map((one) => one.labels).sort((a, b) => String(a.pod).localeCompare(String(b.pod)))).toEqual(
      PODS.map((pod) => ({ pod: pod.name })).sort((a, b) => a.pod.localeCompare(b.pod)),
    );
    for (const one of series) {
      const pod = PODS.find((candidate) => candidate.name === one.labels.pod) as Pod;
      expectMinutes(one, 50, 55, (minute) => cpuSeconds(pod, minute) / 60);
    }
  });

  it('runs raw instant queries, keeping __name__, and scalars', async () => {
    const series = await metrics.query('container_memory_working_set_bytes{namespace="shop",container!=""}', new Date(at(77)));
    expect(series).toHaveLength(PODS.length);
    for (const pod of PODS) {
      const found = series.find((one) => one.labels.pod === pod.name);
      expect(found?.labels).toEqual({ __name__: 'container_memory_working_set_bytes', namespace: 'shop', pod: pod.name, container: pod.service });
      expect(found?.samples).toEqual([{ timestamp: at(77), value: memoryBytes(pod, 77) }]);
    }
    expect(await metrics.query('1 + 1', new Date(at(77)))).toEqual([{ labels: {}, samples: [{ timestamp: at(77), value: 2 }] }]);
  });

  it('lists the metric names Prometheus holds, sorted', async () => {
    expect(await metrics.metricNames()).toEqual([
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
      'http_requests_total',
      'kube_pod_container_status_restarts_total',
    ]);
  });

  it('turns a PromQL syntax error into AIOPS_INPUT_INVALID with Prometheus’ own words, on one line', async () => {
    const error = await caught(metrics.query('sum(rate(http_requests_total[5m])'));
    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(error.message).toMatch(/^prometheus rejected the query: .*parse error/);
    expect(error.toOneLine()).not.toContain('\n');
  });

  it('turns an expression Prometheus cannot evaluate (HTTP 422) into AIOPS_INPUT_INVALID', async () => {
    const error = await caught(metrics.query('http_requests_total / on() http_requests_total', new Date(at(10))));
    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(error.message).toContain('many-to-many matching not allowed');
  });

  it('names the unknown service and the catalogue', async () => {
    const error = await caught(metrics.range('no-such-service', 'cpu', wholeHistory));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('service "no-such-service" not found in the catalogue');
    expect(error.hint).toContain('order-service');
    await expect(metrics.instant('no-such-service', 'cpu')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('reports an unreachable server as AIOPS_SOURCE_UNAVAILABLE naming prometheus and PROMETHEUS_URL', async () => {
    const unreachable = new PrometheusMetrics({ url: await closedPortUrl(), catalogue, timeoutMilliseconds: 1_000, attempts: 2 });
    const error = await caught(unreachable.instant('order-service', 'cpu'));
    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.backend).toBe('prometheus');
    expect(error.toOneLine()).toMatch(/^prometheus: instant query failed: .*ECONNREFUSED.*\(check PROMETHEUS_URL\)$/);
    await expect(unreachable.ping()).rejects.toMatchObject({ code: ErrorCode.SourceUnavailable });
  });

  it('reports a URL that is not the API root as AIOPS_SOURCE_BAD_RESPONSE', async () => {
    const misdirected = new PrometheusMetrics({ url: `${server.url}/api/v1`, catalogue });
    const error = await caught(misdirected.query('up'));
    expect(error.code).toBe(ErrorCode.SourceBadResponse);
    expect(error.toOneLine()).toContain('PROMETHEUS_URL');
  });

  it('gives up on a server that never answers with AIOPS_SOURCE_TIMEOUT', async () => {
    const silent = createHttpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const slow = new PrometheusMetrics({ url: `http://127.0.0.1:${port}`, catalogue, timeoutMilliseconds: 200, attempts: 2 });
      const error = await caught(slow.query('up'));
      expect(error.code).toBe(ErrorCode.SourceTimeout);
      expect(error.toOneLine()).toBe('prometheus: instant query timed out after 2 attempts of 200 ms (check PROMETHEUS_URL)');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a URL that is not http(s) at construction', () => {
    expect(() => new PrometheusMetrics({ url: 'prometheus:9090', catalogue })).toThrow(/PROMETHEUS_URL/);
  });
});

describe('startPrometheus', () => {
  it('refuses OpenMetrics text without the closing # EOF', async () => {
    await expect(startPrometheus('# TYPE up gauge\nup 1 1700000000\n')).rejects.toThrow(/# EOF/);
  });

  it('throws, rather than skips, when prometheus is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startPrometheus('# EOF\n')).rejects.toThrow(/not found on PATH; CI installs Debian's prometheus/);
    } finally {
      process.env.PATH = path;
    }
  });

  it.skipIf(skipWithout('prometheus', 'startPrometheus with promtool'))('reports promtool’s reason when the text cannot be backfilled', async () => {
    await expect(startPrometheus('# TYPE up gauge\nup 1\n# EOF\n')).rejects.toThrow(/promtool backfill failed: .*expected timestamp/);
  });
});
