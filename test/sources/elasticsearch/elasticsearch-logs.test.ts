import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import MockModule, { type MockPattern } from '@elastic/elasticsearch-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../../src/errors.js';
import {
  ElasticsearchLogs,
  createElasticsearchLogs,
  levelOf,
  readField,
  type ElasticsearchSettings,
} from '../../../src/sources/elasticsearch/elasticsearch-logs.js';

const SETTINGS: ElasticsearchSettings = {
  index: 'logs-*',
  fields: {
    timestamp: '@timestamp',
    service: 'kubernetes.labels.app',
    pod: 'kubernetes.pod.name',
    level: 'log.level',
    message: 'message',
  },
};

/**
 * The mock's types declare an ES default export but it sets `module.exports` to the class, which is
 * what an ESM default import yields at run time; TypeScript (NodeNext) sees the namespace instead.
 */
const Mock = MockModule as unknown as typeof MockModule.default;
type Mock = InstanceType<typeof Mock>;

/**
 * The mock requires the CommonJS build and recognises an error answer by `instanceof` its own
 * ResponseError; the ESM import's class is a different one and would be sent back as a 200 body.
 */
const { errors } = createRequire(import.meta.url)('@elastic/elasticsearch') as typeof import('@elastic/elasticsearch');
type ResponseError = InstanceType<typeof errors.ResponseError>;

const START = new Date('2024-05-01T12:00:00.000Z');
const END = new Date('2024-05-01T13:00:00.000Z');
const SOURCE_FIELDS = ['@timestamp', 'kubernetes.labels.app', 'kubernetes.pod.name', 'log.level', 'message'];
const SEARCH_ROUTE = { method: 'POST', path: '/:index/_search' };

/** What the mock received: one entry per request that reached it. */
interface Received {
  path: string;
  body: unknown;
}

let mock: Mock;
let received: Received[];

beforeEach(() => {
  mock = new Mock();
  received = [];
});

/** Answers each request with the next of `answers` (the last repeats), recording what was sent. */
function answerSearches(...answers: Array<Record<string, unknown> | ResponseError>): void {
  let index = 0;
  mock.add(SEARCH_ROUTE, (params: MockPattern) => {
    received.push({ path: String(params.path), body: params.body });
    const answer = answers[Math.min(index, answers.length - 1)];
    index += 1;
    return answer as Record<string, unknown>;
  });
}

function adapter(settings: ElasticsearchSettings = SETTINGS, attempts = 3): ElasticsearchLogs {
  // The mock's connection is typed from the CommonJS build and the client from the ESM one: same shape.
  const Connection = mock.getConnection() as unknown as NonNullable<ConstructorParameters<typeof Client>[0]['Connection']>;
  // maxRetries 0 as in production, so every retry the mock sees is ours.
  const client = new Client({ node: 'http://localhost:9200', Connection, maxRetries: 0 });
  return new ElasticsearchLogs({ client, settings, attempts, baseDelayMilliseconds: 1 });
}

function responseError(statusCode: number, body: Record<string, unknown>): ResponseError {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null } as unknown as ConstructorParameters<typeof errors.ResponseError>[0]);
}

function searchAnswer(hits: unknown[]): Record<string, unknown> {
  return {
    took: 3,
    timed_out: false,
    _shards: { total: 2, successful: 2, skipped: 0, failed: 0 },
    hits: { max_score: null, hits },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<AiopsError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AiopsError);
  return error as AiopsError;
}

/** Filebeat-shaped hits: nested kubernetes objects, `log.level` nested or dotted, levels in any case. */
const FILEBEAT_HITS = [
  {
    _index: '.ds-logs-kubernetes.container_logs-default-2024.05.01-000001',
    _id: 'a1',
    _score: null,
    _source: {
      '@timestamp': '2024-05-01T12:59:58.123456789Z',
      message: 'payment gateway timeout after 3000ms',
      log: { level: 'ERROR' },
      kubernetes: { pod: { name: 'checkout-7d9f8b6c5d-x2x9k' }, labels: { app: 'checkout' } },
    },
    sort: [1714568398123],
  },
  {
    _index: '.ds-logs-kubernetes.container_logs-default-2024.05.01-000001',
    _id: 'a2',
    _score: null,
    _source: {
      '@timestamp': '2024-05-01T12:59:30.000Z',
      message: 'retrying order 1234',
      'log.level': 'warning',
      kubernetes: { pod: { name: 'checkout-7d9f8b6c5d-x2x9k' }, labels: { app: 'checkout' } },
    },
    sort: [1714568370000],
  },
  {
    _index: 'logs-app-2024.05.01',
    _id: 'a3',
    _score: null,
    _source: {
      '@timestamp': 1714568340000,
      message: 'out of memory, shutting down',
      'log.level': 'CRITICAL',
      'kubernetes.labels.app': 'checkout',
      'kubernetes.pod.name': 'checkout-7d9f8b6c5d-q8w7e',
    },
    sort: [1714568340000],
  },
  {
    _index: 'logs-app-2024.05.01',
    _id: 'a4',
    _score: null,
    _source: {
      '@timestamp': '2024-05-01T14:58:00.500+02:00',
      message: 'GET /healthz 200',
      log: { level: 'Info' },
      kubernetes: { labels: { app: 'checkout' } },
    },
    sort: [1714568280500],
  },
  {
    _index: 'logs-app-2024.05.01',
    _id: 'a5',
    _score: null,
    _source: {
      '@timestamp': '2024-05-01T12:57:00.000Z',
      message: 'cache warm-up done',
      kubernetes: { pod: { name: 'checkout-7d9f8b6c5d-x2x9k' }, labels: { app: 'checkout' } },
    },
    sort: [1714568220000],
  },
];

describe('ElasticsearchLogs.search', () => {
  it('sends one bool filter on service and time, newest first, and maps Filebeat documents', async () => {
    answerSearches(searchAnswer(FILEBEAT_HITS));

    const entries = await adapter().search({ service: 'checkout', start: START, end: END });

    expect(received).toEqual([
      {
        path: '/logs-*/_search',
        body: {
          size: 100,
          track_total_hits: false,
          sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
          _source: SOURCE_FIELDS,
          query: {
            bool: {
              filter: [
                { term: { 'kubernetes.labels.app': 'checkout' } },
                { range: { '@timestamp': { gte: 1714564800000, lte: 1714568400000, format: 'epoch_millis' } } },
              ],
            },
          },
        },
      },
    ]);
    expect(entries).toEqual([
      { timestamp: 1714568398123, service: 'checkout', pod: 'checkout-7d9f8b6c5d-x2x9k', level: 'error', message: 'payment gateway timeout after 3000ms' },
      { timestamp: 1714568370000, service: 'checkout', pod: 'checkout-7d9f8b6c5d-x2x9k', level: 'warn', message: 'retrying order 1234' },
      { timestamp: 1714568340000, service: 'checkout', pod: 'checkout-7d9f8b6c5d-q8w7e', level: 'fatal', message: 'out of memory, shutting down' },
      { timestamp: 1714568280500, service: 'checkout', level: 'info', message: 'GET /healthz 200' },
      { timestamp: 1714568220000, service: 'checkout', pod: 'checkout-7d9f8b6c5d-x2x9k', level: 'info', message: 'cache warm-up done' },
    ]);
  });

  it('adds the level terms and an all-words match when asked, and caps the size', async () => {
    answerSearches(searchAnswer([]));

    const entries = await adapter().search({
      service: 'checkout',
      start: START,
      end: END,
      text: 'gateway timeout',
      minimumLevel: 'warn',
      limit: 50_000,
    });

    expect(entries).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toEqual({
      size: 10_000,
      track_total_hits: false,
      sort: [{ '@timestamp': { order: 'desc', unmapped_type: 'date' } }],
      _source: SOURCE_FIELDS,
      query: {
        bool: {
          filter: [
            { term: { 'kubernetes.labels.app': 'checkout' } },
            { range: { '@timestamp': { gte: 1714564800000, lte: 1714568400000, format: 'epoch_millis' } } },
            {
              terms: {
                'log.level': [
                  'warn', 'WARN', 'Warn', 'warning', 'WARNING', 'Warning', 'wrn', 'WRN', 'Wrn',
                  'error', 'ERROR', 'Error', 'err', 'ERR', 'Err', 'severe', 'SEVERE', 'Severe',
                  'fatal', 'FATAL', 'Fatal', 'critical', 'CRITICAL', 'Critical', 'crit', 'CRIT', 'Crit',
                  'panic', 'PANIC', 'Panic', 'emerg', 'EMERG', 'Emerg', 'emergency', 'EMERGENCY', 'Emergency',
                  'alert', 'ALERT', 'Alert',
                ],
              },
            },
            { match: { message: { query: 'gateway timeout', operator: 'and' } } },
          ],
        },
      },
    });
  });

  it('uses the catalogue field names and a concrete limit', async () => {
    answerSearches(
      searchAnswer([
        { _id: 'b1', _source: { ts: '2024-05-01T12:30:00Z', svc: { name: 'cart' }, host: 'cart-0', severity: 'Err', text: 'redis down' }, sort: [1714566600000] },
      ]),
    );
    const settings: ElasticsearchSettings = {
      index: 'app-logs',
      fields: { timestamp: 'ts', service: 'svc.name', pod: 'host', level: 'severity', message: 'text' },
    };

    const entries = await adapter(settings).search({ service: 'cart', start: START, end: END, text: 'redis', minimumLevel: 'fatal', limit: 5 });

    expect(received[0]?.path).toBe('/app-logs/_search');
    expect(received[0]?.body).toMatchObject({
      size: 5,
      sort: [{ ts: { order: 'desc', unmapped_type: 'date' } }],
      _source: ['ts', 'svc.name', 'host', 'severity', 'text'],
      query: {
        bool: {
          filter: [
            { term: { 'svc.name': 'cart' } },
            { range: { ts: { gte: 1714564800000, lte: 1714568400000, format: 'epoch_millis' } } },
            { terms: { severity: expect.arrayContaining(['fatal', 'CRITICAL', 'Panic']) as unknown } },
            { match: { text: { query: 'redis', operator: 'and' } } },
          ],
        },
      },
    });
    const levels = (received[0]?.body as { query: { bool: { filter: Array<{ terms?: Record<string, string[]> }> } } }).query.bool.filter[2]?.terms?.severity;
    expect(levels).not.toContain('error');
    expect(entries).toEqual([{ timestamp: 1714566600000, service: 'cart', pod: 'cart-0', level: 'error', message: 'redis down' }]);
  });
});

describe('ElasticsearchLogs.errorCounts', () => {
  it('asks for a date histogram of error and fatal entries with every interval present', async () => {
    answerSearches({
      took: 5,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: { max_score: null, hits: [] },
      aggregations: {
        errors_over_time: {
          buckets: [
            { key_as_string: '2024-05-01T12:00:00.000Z', key: 1714564800000, doc_count: 0 },
            { key_as_string: '2024-05-01T12:15:00.000Z', key: 1714565700000, doc_count: 7 },
            { key_as_string: '2024-05-01T12:30:00.000Z', key: 1714566600000, doc_count: 0 },
            { key_as_string: '2024-05-01T12:45:00.000Z', key: 1714567500000, doc_count: 2 },
            { key_as_string: '2024-05-01T13:00:00.000Z', key: 1714568400000, doc_count: 0 },
          ],
        },
      },
    });

    const counts = await adapter().errorCounts({ service: 'payment', start: START, end: END, intervalSeconds: 900 });

    expect(received).toEqual([
      {
        path: '/logs-*/_search',
        body: {
          size: 0,
          track_total_hits: false,
          query: {
            bool: {
              filter: [
                { term: { 'kubernetes.labels.app': 'payment' } },
                { range: { '@timestamp': { gte: 1714564800000, lte: 1714568400000, format: 'epoch_millis' } } },
                {
                  terms: {
                    'log.level': [
                      'error', 'ERROR', 'Error', 'err', 'ERR', 'Err', 'severe', 'SEVERE', 'Severe',
                      'fatal', 'FATAL', 'Fatal', 'critical', 'CRITICAL', 'Critical', 'crit', 'CRIT', 'Crit',
                      'panic', 'PANIC', 'Panic', 'emerg', 'EMERG', 'Emerg', 'emergency', 'EMERGENCY', 'Emergency',
                      'alert', 'ALERT', 'Alert',
                    ],
                  },
                },
              ],
            },
          },
          aggregations: {
            errors_over_time: {
              date_histogram: {
                field: '@timestamp',
                fixed_interval: '900s',
                min_doc_count: 0,
                extended_bounds: { min: 1714564800000, max: 1714568400000 },
              },
            },
          },
        },
      },
    ]);
    expect(counts).toEqual([
      { timestamp: 1714564800000, count: 0 },
      { timestamp: 1714565700000, count: 7 },
      { timestamp: 1714566600000, count: 0 },
      { timestamp: 1714567500000, count: 2 },
      { timestamp: 1714568400000, count: 0 },
    ]);
  });

  it('reports an answer without the histogram as a bad response', async () => {
    answerSearches(searchAnswer([]));

    const error = await failureOf(adapter().errorCounts({ service: 'payment', start: START, end: END, intervalSeconds: 60 }));

    expect(error.code).toBe(ErrorCode.SourceBadResponse);
    expect(error.message).toContain('errors_over_time');
  });

  it('refuses an interval that is not a positive number without asking', async () => {
    answerSearches(searchAnswer([]));

    const error = await failureOf(adapter().errorCounts({ service: 'payment', start: START, end: END, intervalSeconds: 0 }));

    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(received).toHaveLength(0);
  });
});

describe('ElasticsearchLogs errors', () => {
  const indexMissing = responseError(404, {
    error: {
      root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [logs-app]', 'resource.type': 'index_or_alias', 'resource.id': 'logs-app', index_uuid: '_na_', index: 'logs-app' }],
      type: 'index_not_found_exception',
      reason: 'no such index [logs-app]',
      'resource.type': 'index_or_alias',
      'resource.id': 'logs-app',
      index_uuid: '_na_',
      index: 'logs-app',
    },
    status: 404,
  });
  const unavailable = responseError(503, {
    error: { root_cause: [], type: 'search_phase_execution_exception', reason: 'all shards failed', phase: 'query', grouped: true, failed_shards: [] },
    status: 503,
  });

  it('turns a missing index into one not-found line naming the index and the catalogue path, without retrying', async () => {
    answerSearches(indexMissing);

    const error = await failureOf(adapter({ ...SETTINGS, index: 'logs-app' }).search({ service: 'checkout', start: START, end: END }));

    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.toOneLine()).toBe('elasticsearch index "logs-app" not found (check elasticsearch.index in the catalogue named by AIOPS_CONFIG)');
    expect(received).toHaveLength(1);
  });

  it('retries a 503 and succeeds when the cluster recovers', async () => {
    answerSearches(unavailable, unavailable, searchAnswer(FILEBEAT_HITS.slice(0, 1)));

    const entries = await adapter().search({ service: 'checkout', start: START, end: END });

    expect(received).toHaveLength(3);
    expect(entries.map((entry) => entry.message)).toEqual(['payment gateway timeout after 3000ms']);
  });

  it('names elasticsearch and ELASTICSEARCH_URL when every attempt fails', async () => {
    answerSearches(unavailable);

    const error = await failureOf(adapter().errorCounts({ service: 'payment', start: START, end: END, intervalSeconds: 60 }));

    expect(received).toHaveLength(3);
    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.backend).toBe('elasticsearch');
    expect(error.toOneLine()).toBe(
      'elasticsearch: count errors failed: search_phase_execution_exception (check ELASTICSEARCH_URL and that the index exists)',
    );
  });

  it.each([401, 403])('reports %i as a credentials problem without retrying', async (status) => {
    answerSearches(responseError(status, { error: { root_cause: [], type: 'security_exception', reason: 'unable to authenticate user [aiops]' }, status }));

    const error = await failureOf(adapter().search({ service: 'checkout', start: START, end: END }));

    expect(received).toHaveLength(1);
    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toContain(`(${status})`);
    expect(error.hint).toContain('credentials in ELASTICSEARCH_URL');
  });

  it('reports an answer without hits as a bad response, without retrying', async () => {
    answerSearches({ took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });

    const error = await failureOf(adapter().search({ service: 'checkout', start: START, end: END }));

    expect(received).toHaveLength(1);
    expect(error.code).toBe(ErrorCode.SourceBadResponse);
    expect(error.backend).toBe('elasticsearch');
  });
});

describe('createElasticsearchLogs', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A real HTTP server, since the mock cannot show what the client itself would retry. */
  async function serve(status: number, body: unknown): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = [];
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, requests };
  }

  it('leaves retrying to withRetry: the client sends one request per attempt', async () => {
    const { url, requests } = await serve(503, { error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' }, status: 503 });

    const logs = createElasticsearchLogs(url, SETTINGS, { attempts: 2, baseDelayMilliseconds: 1 });
    const error = await failureOf(logs.search({ service: 'checkout', start: START, end: END }));

    expect(logs.kind).toBe('elasticsearch');
    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(requests).toEqual(['POST /logs-*/_search', 'POST /logs-*/_search']);
  });

  it('searches over HTTP', async () => {
    const { url, requests } = await serve(200, searchAnswer(FILEBEAT_HITS.slice(1, 2)));

    const entries = await createElasticsearchLogs(url, SETTINGS).search({ service: 'checkout', start: START, end: END, limit: 1 });

    expect(requests).toEqual(['POST /logs-*/_search']);
    expect(entries).toEqual([{ timestamp: 1714568370000, service: 'checkout', pod: 'checkout-7d9f8b6c5d-x2x9k', level: 'warn', message: 'retrying order 1234' }]);
  });

  it('refuses a malformed URL without echoing it', () => {
    expect(() => createElasticsearchLogs('not a url :secret@', SETTINGS)).toThrow(/^ELASTICSEARCH_URL: expected a URL/);
  });
});

describe('field and level reading', () => {
  it('reads a path through nested objects, dotted keys or both', () => {
    expect(readField({ kubernetes: { labels: { app: 'a' } } }, 'kubernetes.labels.app')).toBe('a');
    expect(readField({ 'kubernetes.labels.app': 'b' }, 'kubernetes.labels.app')).toBe('b');
    expect(readField({ kubernetes: { 'labels.app': 'c' } }, 'kubernetes.labels.app')).toBe('c');
    expect(readField({ 'kubernetes.labels': { app: 'd' } }, 'kubernetes.labels.app')).toBe('d');
    expect(readField({ kubernetes: { labels: {} }, 'kubernetes.labels.app': 'e' }, 'kubernetes.labels.app')).toBe('e');
    expect(readField({ kubernetes: 'flat' }, 'kubernetes.labels.app')).toBeUndefined();
  });

  it('normalises common level spellings and reads unknown ones as info', () => {
    expect(['DEBUG', 'trace', 'Info', 'NOTICE', 'WARN', 'warning', 'ERROR', 'err', 'FATAL', 'critical', ' Panic '].map(levelOf)).toEqual([
      'debug', 'debug', 'info', 'info', 'warn', 'warn', 'error', 'error', 'fatal', 'fatal', 'fatal',
    ]);
    expect(levelOf(undefined)).toBe('info');
    expect(levelOf('chatty')).toBe('info');
  });
});
