import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, run, STACK_FRAME } from '../support/cli-harness.js';
import { HistoryDatabase } from '../../src/history/history-database.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { skipWithout } from '../support/requirements.js';
import { testRedis } from '../support/test-redis.js';

// A fresh database on the tests' own Redis: never a Redis the tests were not given.
const { url: REDIS_URL, redis } = await testRedis();
const skipPostgres = skipWithout('postgres', 'the incident history asked of aiops ask');
/** Detection depends on the time of day (the estate's daily cycle): a fixed start keeps the answer the same. */
const SIMULATED_WORLD = { REDIS_URL, AIOPS_SCENARIO: 'bad-deploy', AIOPS_SIM_START: '2026-11-24T15:00:00Z', LOG_LEVEL: 'fatal' };

afterAll(() => {
  redis.disconnect();
});

async function askKeys(): Promise<string[]> {
  return redis.keys('aiops:ask:*');
}

describe('aiops ask: usage', () => {
  it('--help prints the usage and exits 0', async () => {
    const result = await run(['ask', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^usage: aiops ask QUESTION\n/);
    expect(result.stderr).toBe('');
  });

  it('without a question exits 2 with one line naming it', async () => {
    expectUserError(await run(['ask'], SIMULATED_WORLD), 'aiops: ask: missing the question, e.g. aiops ask "why is order-service slow?"');
  });

  it('a question of blanks is no question', async () => {
    expectUserError(await run(['ask', ' ', ''], SIMULATED_WORLD), /^aiops: ask: missing the question/);
  });

  it('refuses a bad setting in one line, as start does', async () => {
    expectUserError(await run(['ask', 'why?'], { ...SIMULATED_WORLD, AIOPS_SCENARIO: 'meteor' }), /^aiops: AIOPS_SCENARIO: expected one of /);
  });

  it('an unreachable Redis fails in one line naming REDIS_URL, without a stack trace', async () => {
    const result = await run(['ask', 'why is checkout failing?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(STACK_FRAME);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^aiops: redis: cannot connect to redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED .*\(check REDIS_URL and that Redis is running\)\n$/);
  });
});

describe('aiops ask about the catalogue', () => {
  it('says who is paged and what a service calls at once, from the catalogue, with no Redis to reach', async () => {
    const result = await run(['ask', 'who is on call for the db?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual([
      'Nobody is paged for database: no paging route takes it in, so its incidents are posted in #shop-platform only',
      '• database is owned by team platform; its incidents go to #shop-platform (Deployment database in namespace shop)',
      '• database calls no catalogued service',
      '• database is called by order-service, payment, catalogue, shipping, user, and through them by checkout, frontend',
      'Answered from the catalogue (AIOPS_CONFIG): no metrics, logs or LLM needed',
      '',
    ]);
  });
});

describe('aiops ask for a forecast or for what a service logs', () => {
  it('answers a capacity question with the forecast, with no Redis to reach', async () => {
    const result = await run(['ask', 'how many replicas will order-service need tomorrow?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    // 15:00 UTC: nine hours of today and all of tomorrow.
    expect(lines[0]).toMatch(/^order-service cpu, next 33 h \(CPU in use, cores summed over pods; from 14 days of 5-minute history\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^• Replicas: 3 now, /));
    expect(result.stdout).not.toMatch(/[*_]order-service|Suspect/);
  });

  it('answers a logs question with the top templates, the bad deploy\'s exception first and far above the usual, and leaves no keys behind', async () => {
    const result = await run(['ask', 'what is payment logging?'], SIMULATED_WORLD);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Log templates of payment, last 15 min');
    // The fault began 20 minutes ago, so the hour before the window holds its first 5 minutes: many times the usual, or new.
    const [top] = lines.slice(1);
    expect(top).toMatch(/^\d+ × java\.lang\.NullPointerException: .* \((🆕 new|×\d+(\.\d)? the usual)\)$/);
    expect(Number(/×(\d+(\.\d)?) the usual/.exec(top!)?.[1] ?? Infinity)).toBeGreaterThan(5);
    expect(await askKeys()).toEqual([]);
  }, 30_000);
});

describe('aiops ask for the open incidents or the trends', () => {
  it("lists the simulated world's anomalies as open incidents after its own detection pass", async () => {
    const result = await run(['ask', "what's firing?"], SIMULATED_WORLD);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toMatch(/^simulated world: scenario bad-deploy, fault started 20 min ago; running one detection pass/);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Open incidents \(\d+\): /);
    expect(lines).toContainEqual(expect.stringMatching(/^(🔴|🟠) payment: error_rate /u));
    expect(await askKeys()).toEqual([]);
  }, 30_000);

  it("answers a capacity question naming no service with the estate's week-ahead forecasts, made first on its own world", async () => {
    const result = await run(['ask', 'will anything run out of capacity this week?'], SIMULATED_WORLD);
    expect(result.exitCode, result.stderr).toBe(0);
    // Ten services, each forecast for CPU, memory and traffic; none of the bad deploy's reaches a limit.
    expect(result.stdout).toBe('No forecast reaches a limit within a week (30 forecasts of CPU, memory and traffic).\n');
    expect(await askKeys()).toEqual([]);
  }, 90_000);

  it('answers a comparison with last week with the trends, with no Redis to reach', async () => {
    const result = await run(['ask', 'how is checkout doing compared to last week?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/checkout/);
    expect(result.stdout).toMatch(/week over week/);
    expect(result.stdout).not.toMatch(/Suspect/);
  });
});

describe('aiops ask about the incident history', () => {
  it('says where the history is kept when DATABASE_URL is not set', async () => {
    const result = await run(['ask', 'how many incidents did we have last week?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe("The incident history is kept in PostgreSQL, and none is set: set DATABASE_URL to the bot's database to read it.\n");
  });

  describe.skipIf(skipPostgres)('with the bot\'s PostgreSQL', () => {
    let postgres: PostgresServer;
    beforeAll(async () => {
      postgres = await startPostgresServer();
      const database = new HistoryDatabase(postgres.url, () => undefined);
      await database.migrate();
      await database.close();
    }, 60_000);
    afterAll(async () => {
      await postgres?.stop();
    });

    it('sums up the days asked for, with no Redis to reach', async () => {
      const result = await run(['ask', 'how many incidents did we have last week?'], { ...SIMULATED_WORLD, REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: postgres.url });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe('History of the last 7 days: 0 incidents, 0 resolved.\n');
    });
  });
});

describe('aiops ask on the simulated world', () => {
  let result: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    // The words unquoted: the shell hands them over one by one.
    result = await run(['ask', 'why', 'is', 'checkout', 'failing?'], SIMULATED_WORLD);
  }, 30_000);

  it('exits 0 and names payment, the bad deploy, as the suspect', () => {
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Suspect: payment \(team payments, #shop-payments\)$/m);
    expect(result.stdout).toContain('payment 2.4.0 → 2.5.0');
  });

  it('says no LLM was used', () => {
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/no LLM configured$/);
  });

  it('says first, on stderr, that it runs its own detection pass, then the progress', () => {
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('simulated world: scenario bad-deploy, fault started 20 min ago; running one detection pass over 10 services');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.startsWith('… '))).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('leaves no keys behind in Redis', async () => {
    expect(await askKeys()).toEqual([]);
  });
});

describe('aiops ask on real sources', () => {
  let prometheus: Server;
  let prometheusUrl: string;

  beforeAll(async () => {
    // A Prometheus that knows no series: enough to make the metrics real and the bot's Redis the anomalies' source.
    prometheus = createServer((request, response) => {
      const path = request.url ?? '';
      const data = path.includes('/label/') ? [] : { resultType: path.includes('query_range') ? 'matrix' : 'vector', result: [] };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ status: 'success', data }));
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => prometheus.close(resolve));
  });

  it('warns when the bot has recorded nothing in the last day, and still answers', async () => {
    const result = await run(['ask', 'is anything wrong?'], { REDIS_URL, PROMETHEUS_URL: prometheusUrl, LOG_LEVEL: 'fatal' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe('no anomalies recorded in Redis in the last 24 h — is the bot (aiops start or aiops worker) running? Looking for them in the metrics');
    expect(result.stderr).not.toContain('simulated world:');
    expect(result.stdout).toMatch(/no LLM configured\n$/);
    expect(await askKeys()).toEqual([]);
  }, 20_000);
});

describe('aiops ask after one that was killed', () => {
  it('deletes the scratch keys an earlier ask left behind an hour ago or more, and nothing else', async () => {
    const old = `aiops:ask:${Date.now() - 2 * 3_600_000}-6f1c0e8e-0000-4000-8000-000000000001:active-anomalies:payment`;
    const legacy = 'aiops:ask:41efb8fc-6156-49e9-a31a-d134686d98ae:active-anomalies:payment';
    const running = `aiops:ask:${Date.now() - 60_000}-6f1c0e8e-0000-4000-8000-000000000002:active-anomalies:payment`;
    const bots = 'aiops:incidents:index';
    for (const key of [old, legacy, running, bots]) await redis.set(key, '1');
    try {
      const result = await run(['ask', 'is cart ok?'], SIMULATED_WORLD);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await askKeys()).toEqual([running]);
      expect(await redis.exists(bots)).toBe(1);
    } finally {
      await redis.del(running, bots);
    }
  }, 30_000);
});
