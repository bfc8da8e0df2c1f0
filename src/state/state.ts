import { randomUUID } from 'node:crypto';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { connectRedis, createQueueRedis, createRedis, KEY_PREFIX, reportConnectionState } from './redis.js';
import { createStores, type Stores, type StoresOptions } from './stores.js';

/**
 * What BullMQ needs to reach this deployment's queues: a connection of their own and where their
 * keys go. Opaque to its users: hand it to BullMQ as it is.
 */
export interface QueueConnection {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
}

/** BullMQ's keys live under `<prefix>bull`, next to the rest of the deployment's state. */
export function queueConnection(connection: ConnectionOptions, keyPrefix: string): QueueConnection {
  return Object.freeze({ connection, prefix: `${keyPrefix}bull` });
}

/** Where Redis is: Config's `redis` (REDIS_URL, and the sentinels when set), or the URL alone as `redisUrl`. */
export type StateOptions = StateSettings & ({ redis: RedisConfig; redisUrl?: never } | { redisUrl: string; redis?: never });

export interface StateSettings extends StoresOptions {
  /** Where lost and restored connections are told, once each. */
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Opens BullMQ's connection too (the roles that schedule or run jobs). Default false. */
  queues?: boolean;
  /**
   * A private namespace instead of the deployment's: every key goes under
   * `aiops:<scratch>:<opened at, ms>-<random>:`, and `close()` deletes them. For commands that must
   * not touch the bot's state (`aiops ask` on a world of its own). A command killed before it closed
   * (Ctrl-C, its output piped into `head`) leaves its keys behind: opening deletes those of its kind
   * older than an hour, and of a namespace without its opening time.
   */
  scratch?: string;
}

export interface State {
  stores: Readonly<Stores>;
  /** Present when opened with `queues`. */
  queueConnection?: QueueConnection;
  /** Where the keys are, for a message that must say it (a scratch namespace not deleted). */
  readonly namespace: string;
  /** Whether Redis answers now, for /readyz. */
  ping(): Promise<{ ok: boolean; detail?: string }>;
  /** The state connection's status as ioredis names it (`ready`, `reconnecting`, …), for /healthz. */
  connectionStatus(): string;
  /** Closes the connections; a scratch namespace is deleted first (a failure to is thrown once they are closed). */
  close(): Promise<void>;
}

/**
 * Connects to Redis (and, for the queues, a second connection BullMQ's way) and builds the stores
 * once; with Sentinel both reach the master the sentinels name, again after a failover. Fails with
 * one line naming REDIS_URL (or REDIS_SENTINELS) when Redis cannot be reached, having closed whatever
 * it had opened. The state connection fails a command fast when Redis is gone (see createRedis);
 * BullMQ's waits it out.
 */
export async function openState(options: StateOptions): Promise<State> {
  const namespace = options.scratch === undefined ? KEY_PREFIX : `${KEY_PREFIX}${options.scratch}:${Date.now()}-${randomUUID()}:`;
  const connection = options.redis ?? { url: options.redisUrl };
  const redis = createRedis(connection);
  await connectRedis(redis, connection);
  if (options.scratch !== undefined) await deleteStaleScratch(redis, `${KEY_PREFIX}${options.scratch}:`, Date.now() - STALE_SCRATCH_MILLISECONDS);
  let queueRedis: Redis | undefined;
  if (options.queues) {
    queueRedis = createQueueRedis(connection);
    try {
      await connectRedis(queueRedis, connection);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }
  reportConnectionState(redis, options.logger, 'state');
  if (queueRedis) reportConnectionState(queueRedis, options.logger, 'queue');
  const stores = createStores(redis, namespace, options);
  return {
    stores,
    ...(queueRedis ? { queueConnection: queueConnection(queueRedis, namespace) } : {}),
    namespace,
    ping: () =>
      redis.ping().then(
        () => ({ ok: true }),
        (error: Error) => ({ ok: false, detail: error.message }),
      ),
    connectionStatus: () => redis.status,
    close: async () => {
      let cleanup: Error | undefined;
      try {
        await stores.incidents.close();
        if (options.scratch !== undefined) await deleteKeys(redis, namespace);
      } catch (error) {
        cleanup = error as Error;
      } finally {
        queueRedis?.disconnect();
        redis.disconnect();
      }
      if (cleanup) throw cleanup;
    },
  };
}

/** How old a scratch namespace must be to be another command's leftovers: an `aiops ask` takes seconds. */
const STALE_SCRATCH_MILLISECONDS = 3_600_000;

/** Deletes the keys of the scratch namespaces under `prefix` opened before `openedBefore`, or not saying when. */
async function deleteStaleScratch(redis: Redis, prefix: string, openedBefore: number): Promise<void> {
  await deleteKeys(redis, prefix, (key) => {
    const opened = /^(\d+)-/.exec(key.slice(prefix.length));
    return opened === null || Number(opened[1]) < openedBefore;
  });
}

/**
 * Deletes the keys under `prefix` (those `chosen` picks, when given). SCAN, not KEYS: a shared
 * Redis must not block while one command tidies up.
 */
async function deleteKeys(redis: Redis, prefix: string, chosen: (key: string) => boolean = () => true): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    const doomed = keys.filter(chosen);
    if (doomed.length > 0) await redis.del(...doomed);
    cursor = next;
  } while (cursor !== '0');
}
