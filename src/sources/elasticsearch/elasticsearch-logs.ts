import { Client } from '@elastic/elasticsearch';
import type { Catalogue } from '../../catalogue.js';
import { AiopsError, ErrorCode, configError, inputError, notFound } from '../../errors.js';
import { LOG_LEVELS, levelRank, type LogEntry, type LogLevel } from '../../logs/log-entry.js';
import { type ErrorCount, type ErrorCountQuery, type LogSearch, type LogSource } from '../logs.js';
import { httpStatusOf, withRetry } from '../retry.js';

export type ElasticsearchSettings = Catalogue['elasticsearch'];

export interface ElasticsearchLogsOptions {
  client: Client;
  /** Index and field names from the catalogue's `elasticsearch` section. */
  settings: ElasticsearchSettings;
  /** Time limit of one attempt (default 10 s). */
  timeoutMilliseconds?: number;
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Delay before the second attempt, doubling after (default 200 ms). */
  baseDelayMilliseconds?: number;
}

const DEFAULTS = { timeoutMilliseconds: 10_000, attempts: 3, baseDelayMilliseconds: 200 };
const DEFAULT_LIMIT = 100;
/** Elasticsearch refuses `from + size` above `index.max_result_window`, 10,000 unless changed. */
const MAXIMUM_LIMIT = 10_000;
const BACKEND = 'elasticsearch';
const HINT = 'check ELASTICSEARCH_URL and that the index exists';
const CREDENTIALS_HINT = 'check the credentials in ELASTICSEARCH_URL, e.g. https://user:password@host:9200, and that the user may read the index';
const HISTOGRAM = 'errors_over_time';

/**
 * Spellings of each level seen in real logs (Filebeat, logback, Python, Go, syslog). Reading maps
 * them back to ours; filtering has to list them because `terms` matches exact keyword values.
 */
const LEVEL_SPELLINGS: Record<LogLevel, readonly string[]> = {
  debug: ['debug', 'trace', 'verbose', 'dbg'],
  info: ['info', 'information', 'informational', 'notice', 'inf'],
  warn: ['warn', 'warning', 'wrn'],
  error: ['error', 'err', 'severe'],
  fatal: ['fatal', 'critical', 'crit', 'panic', 'emerg', 'emergency', 'alert'],
};

const LEVEL_BY_SPELLING = new Map<string, LogLevel>(
  LOG_LEVELS.flatMap((level) => LEVEL_SPELLINGS[level].map((spelling) => [spelling, level] as const)),
);

/** Reads logs from Elasticsearch: one `_search` per call, retried on transient failures. */
export class ElasticsearchLogs implements LogSource {
  readonly kind = 'elasticsearch' as const;
  private readonly client: Client;
  private readonly settings: ElasticsearchSettings;
  private readonly retry: Required<Omit<ElasticsearchLogsOptions, 'client' | 'settings'>>;

  constructor(options: ElasticsearchLogsOptions) {
    const { client, settings, ...retry } = { ...DEFAULTS, ...options };
    this.client = client;
    this.settings = settings;
    this.retry = retry;
  }

  async search(search: LogSearch): Promise<LogEntry[]> {
    const { fields } = this.settings;
    const filter: object[] = [this.serviceFilter(search.service), this.timeFilter(search.start, search.end)];
    // Every document is at debug or above, and documents without a level read as info: no filter then.
    if (search.minimumLevel && search.minimumLevel !== 'debug') filter.push(this.levelFilter(search.minimumLevel));
    if (search.text && search.text.trim() !== '') {
      filter.push({ match: { [fields.message]: { query: search.text, operator: 'and' } } });
    }
    const response = await this.send('search logs', {
      index: this.settings.index,
      size: limitOf(search.limit),
      track_total_hits: false,
      // unmapped_type keeps a pattern like logs-* searchable when one of its indices lacks the field.
      sort: [{ [fields.timestamp]: { order: 'desc', unmapped_type: 'date' } }],
      _source: [fields.timestamp, fields.service, fields.pod, fields.level, fields.message],
      query: { bool: { filter } },
    });
    return response.hits.map((hit) => logEntryOf(hit, this.settings.fields, search.service));
  }

  async errorCounts(query: ErrorCountQuery): Promise<ErrorCount[]> {
    if (!Number.isFinite(query.intervalSeconds) || query.intervalSeconds <= 0) {
      throw inputError('intervalSeconds', `expected a positive number of seconds, got ${query.intervalSeconds}`);
    }
    const response = await this.send('count errors', {
      index: this.settings.index,
      size: 0,
      track_total_hits: false,
      query: {
        bool: {
          filter: [this.serviceFilter(query.service), this.timeFilter(query.start, query.end), this.levelFilter('error')],
        },
      },
      aggregations: {
        [HISTOGRAM]: {
          date_histogram: {
            field: this.settings.fields.timestamp,
            fixed_interval: fixedIntervalOf(query.intervalSeconds),
            // Without these, quiet intervals are left out and the series has holes.
            min_doc_count: 0,
            extended_bounds: { min: query.start.getTime(), max: query.end.getTime() },
          },
        },
      },
    });
    const buckets = (response.aggregations?.[HISTOGRAM] as { buckets?: unknown } | undefined)?.buckets;
    if (!Array.isArray(buckets)) throw badResponse(`the answer has no aggregations.${HISTOGRAM}.buckets`);
    return buckets.map((bucket: { key?: unknown; doc_count?: unknown }) => {
      if (typeof bucket.key !== 'number' || typeof bucket.doc_count !== 'number') {
        throw badResponse('a histogram bucket has no numeric key or doc_count');
      }
      return { timestamp: bucket.key, count: bucket.doc_count };
    });
  }

  private serviceFilter(service: string): object {
    return { term: { [this.settings.fields.service]: service } };
  }

  private timeFilter(start: Date, end: Date): object {
    return { range: { [this.settings.fields.timestamp]: { gte: start.getTime(), lte: end.getTime(), format: 'epoch_millis' } } };
  }

  private levelFilter(minimum: LogLevel): object {
    const spellings = LOG_LEVELS.filter((level) => levelRank(level) >= levelRank(minimum)).flatMap((level) =>
      LEVEL_SPELLINGS[level].flatMap(casingsOf),
    );
    return { terms: { [this.settings.fields.level]: spellings } };
  }

  private async send(operation: string, request: Parameters<Client['search']>[0]): Promise<SearchAnswer> {
    return withRetry(
      operation,
      async (signal) => {
        let response: unknown;
        try {
          response = await this.client.search(request, { signal });
        } catch (error) {
          throw this.translate(error);
        }
        const hits = (response as { hits?: { hits?: unknown } } | undefined)?.hits?.hits;
        if (!Array.isArray(hits)) throw badResponse('the answer has no hits.hits');
        return { hits: hits as ElasticsearchHit[], aggregations: (response as { aggregations?: Record<string, unknown> }).aggregations };
      },
      { backend: BACKEND, hint: HINT, ...this.retry },
    );
  }

  /**
   * Errors retrying cannot fix become AiopsErrors, which withRetry passes on at once. Read by shape,
   * not `instanceof`: the package ships separate CommonJS and ESM copies of its error classes.
   */
  private translate(error: unknown): unknown {
    const status = httpStatusOf(error);
    if (status === undefined) return error;
    if (status === 404 && errorTypeOf(error) === 'index_not_found_exception') {
      return notFound(`elasticsearch index "${this.settings.index}"`, 'check elasticsearch.index in the catalogue named by AIOPS_CONFIG');
    }
    if (status === 401 || status === 403) {
      const refusal = status === 401 ? 'refused the credentials (401)' : 'denied access (403)';
      return new AiopsError(ErrorCode.SourceUnavailable, `${BACKEND}: ${refusal} reading index "${this.settings.index}"`, {
        backend: BACKEND,
        hint: CREDENTIALS_HINT,
        cause: error,
      });
    }
    return error;
  }
}

/** Builds the client for a URL (credentials may sit in it) and the adapter over it. */
export function createElasticsearchLogs(
  url: string,
  settings: ElasticsearchSettings,
  options: Omit<ElasticsearchLogsOptions, 'client' | 'settings'> = {},
): ElasticsearchLogs {
  const timeoutMilliseconds = options.timeoutMilliseconds ?? DEFAULTS.timeoutMilliseconds;
  return new ElasticsearchLogs({ ...options, client: createElasticsearchClient(url, timeoutMilliseconds), settings, timeoutMilliseconds });
}

/** The client for ELASTICSEARCH_URL, shared by the log adapter and the log reader. */
export function createElasticsearchClient(url: string, timeoutMilliseconds: number = DEFAULTS.timeoutMilliseconds): Client {
  try {
    // withRetry does the retrying; a client retrying too would multiply the attempts.
    return new Client({ node: url, requestTimeout: timeoutMilliseconds, maxRetries: 0 });
  } catch {
    // The URL is left out of the message: it may carry a password.
    throw configError('ELASTICSEARCH_URL', 'expected a URL like http://localhost:9200');
  }
}

export interface ElasticsearchHit {
  _id?: string;
  _source?: Record<string, unknown>;
  sort?: unknown[];
}

interface SearchAnswer {
  hits: ElasticsearchHit[];
  aggregations?: Record<string, unknown>;
}

/** One hit as a log entry, reading the catalogue's field names; the service searched stands in for a missing one. */
export function logEntryOf(hit: ElasticsearchHit, fields: ElasticsearchSettings['fields'], searchedService: string): LogEntry {
  const source = hit._source ?? {};
  const timestamp = timestampOf(readField(source, fields.timestamp)) ?? timestampOf(hit.sort?.[0]);
  if (timestamp === undefined) {
    throw badResponse(`document ${hit._id ?? '?'} has no readable ${fields.timestamp} (catalogue elasticsearch.fields.timestamp)`);
  }
  const entry: LogEntry = {
    timestamp,
    service: textOf(readField(source, fields.service)) ?? searchedService,
    level: levelOf(readField(source, fields.level)),
    message: textOf(readField(source, fields.message)) ?? '',
  };
  const pod = textOf(readField(source, fields.pod));
  if (pod !== undefined) entry.pod = pod;
  return entry;
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 0), MAXIMUM_LIMIT);
}

/** Elasticsearch takes whole units only, so a fractional interval is sent in milliseconds. */
function fixedIntervalOf(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function casingsOf(spelling: string): string[] {
  const capitalised = spelling.charAt(0).toUpperCase() + spelling.slice(1);
  return [spelling, spelling.toUpperCase(), capitalised];
}

/**
 * Reads `a.b.c` whether the document nests objects (`{a: {b: {c}}}`), uses dotted keys
 * (`{"a.b.c": …}`) or mixes both (`{a: {"b.c": …}}`), as Filebeat and hand-rolled shippers do.
 */
export function readField(source: unknown, path: string): unknown {
  return readSegments(source, path.split('.'));
}

function readSegments(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (let length = segments.length; length >= 1; length -= 1) {
    const key = segments.slice(0, length).join('.');
    if (!(key in record)) continue;
    const found = readSegments(record[key], segments.slice(length));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Our level for a document's spelling; unknown or missing levels read as info. */
export function levelOf(value: unknown): LogLevel {
  const spelling = textOf(value)?.trim().toLowerCase();
  return (spelling && LEVEL_BY_SPELLING.get(spelling)) || 'info';
}

/** Milliseconds from an ISO 8601 string or epoch milliseconds (number or digits). */
function timestampOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const milliseconds = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length > 0) return value.map((item) => String(item)).join(' ');
  return undefined;
}

/** The `error.type` of an Elasticsearch error answer, e.g. index_not_found_exception. */
function errorTypeOf(error: unknown): string | undefined {
  const type = (error as { meta?: { body?: { error?: { type?: unknown } } } } | undefined)?.meta?.body?.error?.type;
  return typeof type === 'string' ? type : undefined;
}

function badResponse(reason: string): AiopsError {
  return new AiopsError(ErrorCode.SourceBadResponse, `${BACKEND}: unexpected answer: ${reason}`, { backend: BACKEND, hint: HINT });
}
