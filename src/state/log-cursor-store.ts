import type { ChainableCommander, Redis } from 'ioredis';
import type { LogCursor } from '../sources/log-reader.js';

/** Where log mining stands for one service. */
export interface LogMiningProgress {
  /** After the last line mined; undefined before the first. */
  cursor?: LogCursor;
  /** When mining of the service began (ms): buckets before it have no counts, so no baseline. */
  startedAt?: number;
  /** Start of the first bucket not yet judged for anomalies. */
  judgedUntil?: number;
}

/**
 * The log cursor per service. It is written in the same transaction as the counts and the miner
 * state of the page it follows, so after a crash the three always agree: the page is either
 * wholly counted and passed, or not at all and read again.
 */
export class LogCursorStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}logs:cursor:${service}`;
  }

  async load(service: string): Promise<LogMiningProgress> {
    const fields = await this.redis.hgetall(this.key(service));
    return {
      cursor: fields.cursor === undefined ? undefined : (JSON.parse(fields.cursor) as LogCursor),
      startedAt: numberOf(fields.startedAt),
      judgedUntil: numberOf(fields.judgedUntil),
    };
  }

  /** Queues the write on `transaction`; fields left undefined are kept as they are. */
  save(transaction: ChainableCommander, service: string, progress: LogMiningProgress): ChainableCommander {
    const fields: Record<string, string> = {};
    if (progress.cursor !== undefined) fields.cursor = JSON.stringify(progress.cursor);
    if (progress.startedAt !== undefined) fields.startedAt = String(progress.startedAt);
    if (progress.judgedUntil !== undefined) fields.judgedUntil = String(progress.judgedUntil);
    return Object.keys(fields).length === 0 ? transaction : transaction.hset(this.key(service), fields);
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. */
  async forget(service: string): Promise<void> {
    await this.redis.del(this.key(service));
  }
}

function numberOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
