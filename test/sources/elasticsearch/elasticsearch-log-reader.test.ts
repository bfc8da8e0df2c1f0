import { Client } from '@elastic/elasticsearch';
import MockModule, { type MockPattern } from '@elastic/elasticsearch-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ElasticsearchSettings } from '../../../src/sources/elasticsearch/elasticsearch-logs.js';
import { ElasticsearchLogReader } from '../../../src/sources/elasticsearch/elasticsearch-log-reader.js';
import type { LogCursor, LogPage } from '../../../src/sources/log-reader.js';

const SETTINGS: ElasticsearchSettings = {
  index: 'logs-*',
  fields: { timestamp: '@timestamp', service: 'kubernetes.labels.app', pod: 'kubernetes.pod.name', level: 'log.level', message: 'message' },
};

/** See elasticsearch-logs.test.ts: the mock's default export is the class at run time. */
const Mock = MockModule as unknown as typeof MockModule.default;
type Mock = InstanceType<typeof Mock>;

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

interface Document {
  id: string;
  timestamp: number;
  message: string;
}

/** 12 lines, some sharing a millisecond so that ties straddle page boundaries. */
const DOCUMENTS: Document[] = [0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 5].map((offset, index) => ({ id: `d${index}`, timestamp: T0 + offset * 1000, message: `line ${index}` }));

interface Received {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

let mock: Mock;
let received: Received[];

beforeEach(() => {
  mock = new Mock();
  received = [];
});

/**
 * A small index behind the mock that honours what the reader relies on: the time range, ascending
 * sort on [timestamp, _shard_doc] and search_after. A document's _shard_doc is its position.
 */
function serveIndex(documents: Document[]): void {
  const record = (params: MockPattern): void => {
    received.push({ method: String(params.method), path: String(params.path), body: (params.body ?? {}) as Record<string, unknown> });
  };
  mock.add({ method: 'POST', path: '/:index/_pit' }, (params: MockPattern) => {
    record(params);
    return { id: 'pit-1' };
  });
  mock.add({ method: 'DELETE', path: '/_pit' }, (params: MockPattern) => {
    record(params);
    return { succeeded: true, num_freed: 1 };
  });
  mock.add({ method: 'POST', path: '/_search' }, (params: MockPattern) => {
    record(params);
    const body = params.body as { size: number; search_after?: [number, number]; query: { bool: { filter: Array<Record<string, Record<string, { gte: number; lte: number }>>> } } };
    const range = body.query.bool.filter[1]!.range!['@timestamp']!;
    const after = body.search_after;
    const hits = documents
      .map((document, shardDoc) => ({ document, sort: [document.timestamp, shardDoc] as [number, number] }))
      .filter(({ document }) => document.timestamp >= range.gte && document.timestamp <= range.lte)
      .sort((left, right) => left.sort[0] - right.sort[0] || left.sort[1] - right.sort[1])
      .filter(({ sort }) => after === undefined || sort[0] > after[0] || (sort[0] === after[0] && sort[1] > after[1]))
      .slice(0, body.size)
      .map(({ document, sort }) => ({
        _index: 'logs-app-2024.05.01',
        _id: document.id,
        _score: null,
        _source: { '@timestamp': new Date(document.timestamp).toISOString(), message: document.message, log: { level: 'info' }, kubernetes: { labels: { app: 'checkout' } } },
        sort,
      }));
    return { pit_id: 'pit-1', took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { hits } };
  });
}

function reader(): ElasticsearchLogReader {
  const Connection = mock.getConnection() as unknown as NonNullable<ConstructorParameters<typeof Client>[0]['Connection']>;
  const client = new Client({ node: 'http://localhost:9200', Connection, maxRetries: 0 });
  return new ElasticsearchLogReader({ client, settings: SETTINGS, attempts: 1 });
}

const RANGE = { since: T0 - 60_000, until: T0 + 60_000, pageSize: 4 };

async function readAll(pages: AsyncIterable<LogPage>, stopAfter = Number.POSITIVE_INFINITY): Promise<{ messages: string[]; cursor?: LogCursor }> {
  const messages: string[] = [];
  let cursor: LogCursor | undefined;
  let count = 0;
  for await (const page of pages) {
    messages.push(...page.entries.map((entry) => entry.message));
    cursor = page.cursor;
    count += 1;
    if (count >= stopAfter) break;
  }
  return { messages, cursor };
}

describe('ElasticsearchLogReader', () => {
  it('pages through a point in time with search_after on [timestamp, _shard_doc], filtered to the service', async () => {
    serveIndex(DOCUMENTS);
    const { messages, cursor } = await readAll(reader().pages('checkout', undefined, RANGE));
    expect(messages).toEqual(DOCUMENTS.map((document) => document.message));
    expect(cursor).toEqual({ timestamp: T0 + 5000, idsAtTimestamp: ['logs-app-2024.05.01/d11'] });

    expect(received.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /logs-*/_pit',
      'POST /_search',
      'POST /_search',
      'POST /_search',
      'POST /_search',
      'DELETE /_pit',
    ]);
    const [first, second] = [received[1]!.body, received[2]!.body];
    expect(first).toEqual({
      pit: { id: 'pit-1', keep_alive: '1m' },
      size: 4,
      track_total_hits: false,
      sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }, { _shard_doc: 'asc' }],
      _source: ['@timestamp', 'kubernetes.labels.app', 'kubernetes.pod.name', 'log.level', 'message'],
      query: {
        bool: {
          filter: [
            { term: { 'kubernetes.labels.app': 'checkout' } },
            { range: { '@timestamp': { gte: RANGE.since, lte: RANGE.until, format: 'epoch_millis' } } },
          ],
        },
      },
    });
    expect(second.search_after).toEqual([T0 + 1000, 3]);
    expect(received[5]!.body).toEqual({ id: 'pit-1' });
  });

  it('resumes from a saved cursor without losing or repeating a line, ties at the cursor included', async () => {
    serveIndex(DOCUMENTS);
    // Two pages in (8 lines, the cursor in the middle of the four lines at T0+3s), the worker dies.
    const before = await readAll(reader().pages('checkout', undefined, RANGE), 2);
    expect(before.cursor).toEqual({ timestamp: T0 + 3000, idsAtTimestamp: ['logs-app-2024.05.01/d6', 'logs-app-2024.05.01/d7'] });
    expect(received.at(-1)).toMatchObject({ method: 'DELETE', path: '/_pit' });

    received = [];
    const after = await readAll(reader().pages('checkout', before.cursor, RANGE));
    expect([...before.messages, ...after.messages]).toEqual(DOCUMENTS.map((document) => document.message));
    // The new reader starts at the cursor's millisecond, not after it.
    expect(received[1]!.body).toMatchObject({ query: { bool: { filter: [{}, { range: { '@timestamp': { gte: T0 + 3000 } } }] } } });
    expect(received[1]!.body).not.toHaveProperty('search_after');
  });

  it('yields nothing and keeps the cursor when no line is new', async () => {
    serveIndex(DOCUMENTS);
    const cursor: LogCursor = { timestamp: T0 + 5000, idsAtTimestamp: ['logs-app-2024.05.01/d11'] };
    expect(await readAll(reader().pages('checkout', cursor, RANGE))).toEqual({ messages: [], cursor: undefined });
  });
});
