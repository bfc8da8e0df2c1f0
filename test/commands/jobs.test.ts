import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createQueues, QUEUE_NAMES, type Queues } from '../../src/jobs/queues.js';
import { KEY_PREFIX } from '../../src/state/redis.js';
import { queueConnection } from '../../src/state/state.js';
import { createHarness, expectUserError, run, type Run } from '../support/cli-harness.js';
import { testRedis } from '../support/test-redis.js';

// A database of the tests' own Redis, holding the deployment's queues under the deployment's prefix, as the bot writes them.
const { url: REDIS_URL, redis } = await testRedis();
const queueRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
let queues: Queues;

/** `aiops jobs` as an operator runs it, ten minutes after the jobs were queued. */
async function jobs(...argv: string[]): Promise<Run> {
  const harness = createHarness({ REDIS_URL, LOG_LEVEL: 'fatal' });
  harness.context.now = () => Date.now() + 10 * 60_000;
  const exitCode = await runCli(['jobs', ...argv], harness.context);
  return { exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text };
}

beforeAll(async () => {
  queues = createQueues(queueConnection(queueRedis, KEY_PREFIX));
  // A detection job that fails for good, its reason carrying a secret; a forecast job nobody takes.
  const worker = new Worker(
    QUEUE_NAMES.detection,
    async () => {
      throw new Error('prometheus: 503 from http://prometheus:9090 with token=xoxb-1234567890-abcdefghijkl\nat stack frame');
    },
    { ...queueConnection(queueRedis, KEY_PREFIX), autorun: true },
  );
  const failed = new Promise((resolve) => worker.once('failed', resolve));
  await queues.detection.add('detect', { service: 'checkout' }, { attempts: 1 });
  await failed;
  await worker.close();
  await queues.forecast.add('forecast', { service: 'cart', signal: 'memory' });
});

afterAll(async () => {
  await queues.close();
  queueRedis.disconnect();
  redis.disconnect();
});

describe('aiops jobs', () => {
  it('shows each queue with its counts and workers, the failure with its reason redacted, and the job nobody takes; exits 1', async () => {
    const result = await jobs();
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('aiops-detection: 0 waiting, 0 active, 0 delayed, 1 failed, 0 completed kept; 0 workers, 0 schedules');
    const failure = lines.find((line) => line.startsWith('  failed: '));
    expect(failure).toMatch(/^ {2}failed: detect \(checkout\) #\d+, attempt 1, 10 min ago: prometheus: 503 from http:\/\/prometheus:9090 with token=\[REDACTED\]$/);
    expect(result.stdout).not.toContain('xoxb-');
    expect(lines).toContain('aiops-forecast: 1 waiting, 0 active, 0 delayed, 0 failed, 0 completed kept; 0 workers, 0 schedules');
    expect(lines.find((line) => line.startsWith('  stuck, waiting with no worker: '))).toMatch(/forecast \(cart memory\) #\d+, attempt 0, 10 min ago$/);
    for (const queue of ['aiops-training', 'aiops-logs', 'aiops-healing', 'aiops-healing-notices', 'aiops-maintenance']) expect(result.stdout).toContain(`${queue}: 0 waiting`);
  });

  it('writes the same as JSON, and one queue alone when asked; a clean queue exits 0', async () => {
    const result = await jobs('--json', '--queue', 'forecast');
    const parsed = JSON.parse(result.stdout) as { queues: Array<{ queue: string; counts: { waiting: number }; stuckWaiting: Array<{ subject: string }> }> };
    expect(parsed.queues.map((queue) => queue.queue)).toEqual(['aiops-forecast']);
    expect(parsed.queues[0]!.counts.waiting).toBe(1);
    expect(parsed.queues[0]!.stuckWaiting[0]!.subject).toBe('cart memory');
    expect((await jobs('--queue', 'training')).exitCode).toBe(0);
  });

  it('refuses an unknown queue or a bad number in one line', async () => {
    expectUserError(await run(['jobs', '--queue', 'mail'], { REDIS_URL }), 'aiops: --queue: expected one of detection, training, logs, forecast, healing, healing-notices, maintenance, got "mail"');
    expectUserError(await run(['jobs', '--failed', 'many'], { REDIS_URL }), 'aiops: --failed: expected a whole number from 0 to 100, got "many"');
  });

  it('names REDIS_URL in one line when Redis cannot be reached', async () => {
    const result = await run(['jobs'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/^aiops: redis: cannot connect to redis:\/\/127\.0\.0\.1:1/);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});
