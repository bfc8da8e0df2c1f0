import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { ALLOCATION_KEY, COUNTER_DATABASE } from './test-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The tests' own Redis server, without a database number. */
    testRedisUrl: string;
    /** How many databases it has; `testRedis()` hands each caller a fresh one. */
    testRedisDatabases: number;
  }
}

/** Databases of the private server: one per `testRedis()` call in the whole run, with room to spare. */
const PRIVATE_DATABASES = 512;

/**
 * Vitest global set-up: the tests get a Redis of their own and never touch one they were not
 * given. By default that is a private `redis-server` on a free port, stopped at the end. With
 * `AIOPS_TEST_REDIS_URL` it is that server, taken only when it holds no key at all, so that
 * everything the tests later write or empty there is theirs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.AIOPS_TEST_REDIS_URL?.trim();
  let server: RedisServer | undefined;
  let url: string;
  let databases: number;
  if (given) {
    url = given.replace(/\/\d*$/, '');
    databases = await requireEmpty(url);
  } else {
    server = await startRedisServer({ databases: PRIVATE_DATABASES });
    url = server.url;
    databases = PRIVATE_DATABASES;
  }
  project.provide('testRedisUrl', url);
  project.provide('testRedisDatabases', databases);
  return async () => {
    if (server) return server.stop();
    await emptyAllocated(url);
  };
}

/** The number of databases of a server given to the tests, after checking it holds no key at all. */
export async function requireEmpty(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const held = [...(await client.info('keyspace')).matchAll(/^db(\d+):keys=(\d+)/gm)].map(([, database, keys]) => `db${database}: ${keys} ${keys === '1' ? 'key' : 'keys'}`);
    if (held.length > 0) {
      throw new Error(`AIOPS_TEST_REDIS_URL (${url}): holds keys the tests did not create (${held.join(', ')}); give the tests an empty Redis of their own`);
    }
    const reply = (await client.config('GET', 'databases').catch(() => [])) as string[];
    return Number(reply[1] ?? 16);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('AIOPS_TEST_REDIS_URL')) throw error;
    throw new Error(`AIOPS_TEST_REDIS_URL (${url}): cannot reach it: ${(error as Error).message}`, { cause: error });
  } finally {
    client.disconnect();
  }
}

/** A given server was empty when the run began: the databases the run handed out hold only what it wrote. */
async function emptyAllocated(url: string): Promise<void> {
  const counter = new Redis(`${url}/${COUNTER_DATABASE}`, { maxRetriesPerRequest: 1 });
  try {
    const allocated = Number((await counter.get(ALLOCATION_KEY)) ?? 0);
    for (let database = COUNTER_DATABASE + 1; database <= allocated; database += 1) {
      const client = new Redis(`${url}/${database}`, { maxRetriesPerRequest: 1 });
      await client.flushdb();
      client.disconnect();
    }
    await counter.del(ALLOCATION_KEY);
  } finally {
    counter.disconnect();
  }
}
