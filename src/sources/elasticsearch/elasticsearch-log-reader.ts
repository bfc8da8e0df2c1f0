import type { Client } from '@elastic/elasticsearch';
import { AiopsError, ErrorCode } from '../../errors.js';
import { cursorAfter, isAfterCursor, type LogCursor, type LogPage, type LogReader, type LogReadRange } from '../log-reader.js';
import { withRetry } from '../retry.js';
import { logEntryOf, type ElasticsearchHit, type ElasticsearchSettings } from './elasticsearch-logs.js';

export interface ElasticsearchLogReaderOptions {
  client: Client;
  settings: ElasticsearchSettings;
  /** How long Elasticsearch keeps the point in time between two pages (default `1m`). */
  keepAlive?: string;
  /** Time limit of one attempt (default 10 s). */
  timeoutMilliseconds?: number;
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Delay before the second attempt, doubling after (default 200 ms). */
  baseDelayMilliseconds?: number;
}

const DEFAULTS = { keepAlive: '1m', timeoutMilliseconds: 10_000, attempts: 3, baseDelayMilliseconds: 200 };
const DEFAULT_PAGE_SIZE = 1000;
const BACKEND = 'elasticsearch';
const HINT = 'check ELASTICSEARCH_URL and that the index exists';

/**
 * Reads a service's log forward in pages for mining. One pass opens a point in time so its pages
 * are a consistent snapshot, and pages with `search_after` on [timestamp, `_shard_doc`], the
 * cheapest total order Elasticsearch offers; `from` paging would stop at 10,000 lines and skip or
 * repeat lines as the index grows. Across passes the saved LogCursor takes over (see log-reader.ts).
 */
export class ElasticsearchLogReader implements LogReader {
  private readonly client: Client;
  private readonly settings: ElasticsearchSettings;
  private readonly keepAlive: string;
  private readonly retry: { timeoutMilliseconds: number; attempts: number; baseDelayMilliseconds: number };

  constructor(options: ElasticsearchLogReaderOptions) {
    const { client, settings, keepAlive, ...retry } = { ...DEFAULTS, ...options };
    this.client = client;
    this.settings = settings;
    this.keepAlive = keepAlive;
    this.retry = retry;
  }

  async *pages(service: string, cursor: LogCursor | undefined, range: LogReadRange): AsyncGenerator<LogPage> {
    const size = range.pageSize ?? DEFAULT_PAGE_SIZE;
    const { fields } = this.settings;
    const opened = await this.send('open point in time', (signal) => this.client.openPointInTime({ index: this.settings.index, keep_alive: this.keepAlive }, { signal }));
    let pointInTime = opened.id;
    try {
      let current = cursor;
      let searchAfter: unknown[] | undefined;
      for (;;) {
        const response = await this.send('read logs', (signal) =>
          this.client.search(
            {
              pit: { id: pointInTime, keep_alive: this.keepAlive },
              size,
              track_total_hits: false,
              sort: [{ [fields.timestamp]: { order: 'asc', unmapped_type: 'date' } }, { _shard_doc: 'asc' }],
              ...(searchAfter === undefined ? {} : { search_after: searchAfter as Array<string | number> }),
              _source: [fields.timestamp, fields.service, fields.pod, fields.level, fields.message],
              query: {
                bool: {
                  filter: [
                    { term: { [fields.service]: service } },
                    // From the cursor's millisecond itself: lines there that were not read yet are still due.
                    { range: { [fields.timestamp]: { gte: cursor?.timestamp ?? range.since, lte: range.until, format: 'epoch_millis' } } },
                  ],
                },
              },
            },
            { signal },
          ),
        );
        if (response.pit_id) pointInTime = response.pit_id;
        const hits = response.hits.hits as ElasticsearchHit[];
        const lines = hits
          .map((hit) => ({ id: `${(hit as { _index?: string })._index ?? ''}/${hit._id ?? ''}`, entry: logEntryOf(hit, fields, service) }))
          .filter((line) => isAfterCursor(current, line.entry.timestamp, line.id));
        if (lines.length > 0) {
          current = cursorAfter(current, lines.map((line) => ({ timestamp: line.entry.timestamp, id: line.id })))!;
          yield { entries: lines.map((line) => line.entry), cursor: current };
        }
        if (hits.length < size) return;
        searchAfter = hits.at(-1)?.sort;
        if (searchAfter === undefined) throw badResponse('a hit has no sort values to page after');
      }
    } finally {
      // Closing frees the snapshot early; if it fails, keep_alive frees it soon anyway.
      await this.client.closePointInTime({ id: pointInTime }).catch(() => undefined);
    }
  }

  private send<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry(operation, attempt, { backend: BACKEND, hint: HINT, ...this.retry });
  }
}

function badResponse(reason: string): AiopsError {
  return new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: unexpected answer: ${reason}`, { backend: BACKEND, hint: HINT });
}
