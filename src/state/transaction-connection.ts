import type { Redis } from 'ioredis';
import { AiopsError, ErrorCode } from '../errors.js';

/**
 * A Redis connection of its own for optimistic transactions (WATCH belongs to a connection, and
 * anyone's EXEC on it clears it): a duplicate of the connection given, opened on first use. It
 * never queues a command while disconnected nor sends one again after a reconnection (an EXEC
 * whose WATCH died with the old connection would write unwatched), and whoever saw a command fail
 * drops it, so the next transaction starts on a fresh one: a watch, a late reply or a command in
 * doubt goes with the old. With Redis gone, `get()` fails within its connect timeout.
 */
export class TransactionConnection {
  private connection: Redis | undefined;

  constructor(
    private readonly base: Redis,
    private readonly connectTimeoutMilliseconds: number,
  ) {}

  /** The connection, connected. */
  async get(): Promise<Redis> {
    const current = this.connection;
    if (current?.status === 'ready') return current;
    current?.disconnect();
    const connection = this.base.duplicate({ lazyConnect: true, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 });
    // Its failures reach the caller as rejected commands; the event would only be printed.
    connection.on('error', () => undefined);
    this.connection = connection;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${this.connectTimeoutMilliseconds} ms`)), this.connectTimeoutMilliseconds);
    });
    try {
      await Promise.race([connection.connect(), deadline]);
      return connection;
    } catch (error) {
      this.drop();
      throw new AiopsError(ErrorCode.SourceUnavailable, `redis: cannot open a transaction connection: ${(error as Error).message}`, { backend: 'redis', cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops the connection after a failure; the next `get()` opens another. */
  drop(): void {
    this.connection?.disconnect();
    this.connection = undefined;
  }

  /** Closes it, if one was opened; a Redis already gone has nothing to be told: the socket is simply closed. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.quit().catch(() => connection.disconnect());
  }
}
