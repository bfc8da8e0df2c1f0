import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The process as a user starts it, `node --import tsx src/main.ts …` or `npm start`, from the
 * repository root, with a clean environment (PATH, HOME and the tests' own Redis), so nothing set
 * on the developer's machine or in CI can make these pass or fail. Each runs in a process group of
 * its own, as a terminal's job does, so the tests can check that no process of it is left behind.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Two busy cores: tsx compiles on start, which can take seconds. */
const START_TIMEOUT_MILLISECONDS = 30_000;
const STOP_TIMEOUT_MILLISECONDS = 10_000;
/** Once a failed start has said why, the process must end at once, not whenever something times out. */
const EXIT_AFTER_FAILURE_MILLISECONDS = 5_000;
const STACK_FRAME = '    at ';

interface Aiops {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal that killed it) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals every process of the group: what Ctrl-C in a terminal does. */
  signalGroup: (signal: NodeJS.Signals) => void;
  /** Whether any process of the group is still alive (npm, a shell, node…). */
  groupAlive: () => boolean;
}

function startAiops(command: 'node' | 'npm', argv: string[], environment: Record<string, string> = {}): Aiops {
  const [file, args] = command === 'node' ? [process.execPath, ['--import', 'tsx', 'src/main.ts', ...argv]] : ['npm', argv];
  const child = spawn(file, args, {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const group = child.pid!;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    signalGroup: (signal) => process.kill(-group, signal),
    groupAlive: () => {
      try {
        process.kill(-group, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Kills whatever is left of a test's processes, so that a failing test leaves nothing running. */
function killGroup(aiops: Aiops): void {
  if (aiops.groupAlive()) aiops.signalGroup('SIGKILL');
}

/** Waits for stdout or stderr to contain `text`; fails early, with what was printed, if the process exits first. */
async function waitForOutput(aiops: Aiops, stream: 'stdout' | 'stderr', text: string, timeoutMilliseconds: number): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  let exited = false;
  void aiops.exited.then(() => (exited = true));
  while (!aiops[stream]().includes(text)) {
    if (exited || Date.now() > deadline) {
      throw new Error(`no "${text}" ${exited ? 'before the process exited' : 'in time'}\nstdout: ${aiops.stdout()}\nstderr: ${aiops.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function withTimeout<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${milliseconds} ms`)), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The group ends with its first process or shortly after; a process still there after that was left behind. */
async function expectGroupEnded(aiops: Aiops): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (aiops.groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(aiops.groupAlive(), 'a process of the group is still running').toBe(false);
}

/** Pino writes one JSON object a line when stdout is not a terminal (npm adds a header of its own). */
function logMessages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

/** A port something else already listens on, as the bot would bind it (all interfaces). */
async function takePort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { port: (server.address() as { port: number }).port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the aiops process', () => {
  let redisUrl: string;
  let redis: Redis;

  beforeAll(async () => {
    ({ url: redisUrl, redis } = await testRedis());
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('start: watches the simulated estate, serves /healthz and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const aiops = startAiops('node', ['start'], { PORT: String(port), REDIS_URL: redisUrl, AIOPS_SCENARIO: 'bad-deploy' });
    try {
      await waitForOutput(aiops, 'stdout', 'watching 10 services', START_TIMEOUT_MILLISECONDS);

      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
      const health = (await response.json()) as Record<string, unknown>;
      expect(health).toMatchObject({
        status: 'ok',
        services: 10,
        sources: { metrics: 'sim', logs: 'sim', cluster: 'sim' },
        simulation: { scenario: 'bad-deploy' },
      });

      aiops.child.kill('SIGTERM');
      const { code, signal } = await withTimeout(aiops.exited, STOP_TIMEOUT_MILLISECONDS, 'stopping after SIGTERM');
      // Exit code 0 and no signal: the process handled SIGTERM itself rather than being killed by it.
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const messages = logMessages(aiops.stdout());
      expect(messages).toContain(`watching 10 services; /healthz on 127.0.0.1:${port}`);
      expect(messages.at(-1)).toBe('stopped');
      expect(aiops.stderr()).toBe('');
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
    }
  });

  it('npm start: Ctrl-C (SIGINT to the whole group) stops the bot cleanly and leaves no process', async () => {
    const aiops = startAiops('npm', ['start'], { PORT: String(await freePort()), REDIS_URL: redisUrl });
    try {
      await waitForOutput(aiops, 'stdout', 'watching 10 services', START_TIMEOUT_MILLISECONDS);
      aiops.signalGroup('SIGINT');
      const { code } = await withTimeout(aiops.exited, STOP_TIMEOUT_MILLISECONDS, 'stopping after Ctrl-C');
      expect(code).toBe(0);
      expect(logMessages(aiops.stdout()).at(-1)).toBe('stopped');
      expect(aiops.stderr()).toBe('');
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
    }
  });

  it('npm start: SIGTERM to npm alone, as a supervisor sends it, reaches the bot and leaves no process', async () => {
    const aiops = startAiops('npm', ['start'], { PORT: String(await freePort()), REDIS_URL: redisUrl });
    try {
      await waitForOutput(aiops, 'stdout', 'watching 10 services', START_TIMEOUT_MILLISECONDS);
      aiops.child.kill('SIGTERM');
      await withTimeout(aiops.exited, STOP_TIMEOUT_MILLISECONDS, 'stopping after SIGTERM');
      await expectGroupEnded(aiops);
      const messages = logMessages(aiops.stdout());
      expect(messages).toContain('stopping');
      expect(messages.at(-1)).toBe('stopped');
    } finally {
      killGroup(aiops);
    }
  });

  it('npm start: with its PORT taken, exits non-zero at once with one line and leaves no process', async () => {
    const taken = await takePort();
    const aiops = startAiops('npm', ['start'], { PORT: String(taken.port), REDIS_URL: redisUrl });
    try {
      const line = `aiops: PORT: port ${taken.port} is already in use; set PORT to a free port\n`;
      await waitForOutput(aiops, 'stderr', line, START_TIMEOUT_MILLISECONDS);
      const { code } = await withTimeout(aiops.exited, EXIT_AFTER_FAILURE_MILLISECONDS, 'exiting after the failed start');
      expect(code).toBe(2);
      expect(aiops.stderr()).toBe(line);
      // Nothing ran: the port is checked before the workers start.
      expect(logMessages(aiops.stdout())).toEqual([]);
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
      await taken.release();
    }
  });

  it('start: Redis unreachable ends the start at once with one line naming REDIS_URL', async () => {
    const closed = await freePort();
    const aiops = startAiops('node', ['start'], { PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${closed}/0` });
    try {
      const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, 'failing to reach Redis');
      expect(code).toBe(1);
      expect(aiops.stderr()).toBe(`aiops: redis: cannot connect to redis://127.0.0.1:${closed}/0: connect ECONNREFUSED 127.0.0.1:${closed} (check REDIS_URL and that Redis is running)\n`);
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
    }
  });

  describe('against a fake Slack', () => {
    let slack: FakeSlack;

    beforeAll(async () => {
      slack = await startFakeSlack();
    });

    afterAll(async () => {
      await slack.close();
    });

    it('start: a bot token Slack refuses ends the start with one line naming SLACK_BOT_TOKEN, no stack trace', async () => {
      const aiops = startAiops('node', ['start'], {
        PORT: String(await freePort()),
        REDIS_URL: redisUrl,
        SLACK_API_URL: slack.apiUrl,
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: 'secret',
      });
      try {
        const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, 'refusing the token');
        expect(code).toBe(2);
        expect(aiops.stderr()).toBe('aiops: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)\n');
        await expectGroupEnded(aiops);
      } finally {
        killGroup(aiops);
      }
    });

    it('start: a request to a Slack path Bolt does not serve gets a 404, and the bot keeps running', async () => {
      // Bolt's listener throws for such a path; thrown from our server's handler, that ended the process.
      const port = await freePort();
      const aiops = startAiops('node', ['start'], { PORT: String(port), REDIS_URL: redisUrl, SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: 'secret' });
      try {
        await waitForOutput(aiops, 'stdout', 'watching 10 services', START_TIMEOUT_MILLISECONDS);
        const response = await fetch(`http://127.0.0.1:${port}/slack/nothing-here`);
        expect(response.status).toBe(404);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        aiops.child.kill('SIGTERM');
        const { code } = await withTimeout(aiops.exited, STOP_TIMEOUT_MILLISECONDS, 'stopping after SIGTERM');
        expect(code).toBe(0);
        expect(aiops.stderr()).toBe('');
      } finally {
        killGroup(aiops);
      }
    });
  });

  it('start: Slack unreachable is a warning, and SIGTERM still stops the bot at once with nothing left open', async () => {
    // Bolt's client used to retry auth.test for half an hour, so a stop ended only through the exit guard's "still open".
    const closed = await freePort();
    const aiops = startAiops('node', ['start'], {
      PORT: String(await freePort()),
      REDIS_URL: redisUrl,
      SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret',
    });
    try {
      await waitForOutput(aiops, 'stdout', 'watching 10 services', START_TIMEOUT_MILLISECONDS);
      expect(logMessages(aiops.stdout())).toContain('Slack did not answer auth.test; starting anyway (incident messages wait in the outbox, and Slack is asked again)');
      aiops.child.kill('SIGTERM');
      const { code, signal } = await withTimeout(aiops.exited, EXIT_AFTER_FAILURE_MILLISECONDS, 'stopping after SIGTERM with Slack unreachable');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(logMessages(aiops.stdout()).at(-1)).toBe('stopped');
      expect(aiops.stderr()).toBe('');
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
    }
  });

  it('start: a half-configured Slack app stops it with one line naming the missing variable', async () => {
    const aiops = startAiops('node', ['start'], { REDIS_URL: redisUrl, SLACK_BOT_TOKEN: 'xoxb-1' });
    try {
      const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, 'refusing the configuration');
      expect(code).toBe(2);
      expect(aiops.stdout()).toBe('');
      expect(aiops.stderr()).not.toContain(STACK_FRAME);
      expect(aiops.stderr()).toBe(
        'aiops: SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (requests are verified with it); or set SLACK_APP_TOKEN for Socket Mode\n',
      );
    } finally {
      killGroup(aiops);
    }
  });

  it.each([['start', '--help'], ['bot', '-h'], ['worker', '--help']])('%s %s prints the usage and exits 0 without connecting or listening', async (role, flag) => {
    // Were it to start, the closed Redis port and the taken PORT would make it fail.
    const taken = await takePort();
    const aiops = startAiops('node', [role, flag], { PORT: String(taken.port), REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
    try {
      const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, `${role} ${flag}`);
      expect(code).toBe(0);
      expect(aiops.stderr()).toBe('');
      expect(aiops.stdout()).toMatch(new RegExp(`^usage: aiops ${role}( \\[--queues LIST\\])?\n`));
      await expectGroupEnded(aiops);
    } finally {
      killGroup(aiops);
      await taken.release();
    }
  });

  it('sim list: prints the six scenarios and exits 0', async () => {
    const aiops = startAiops('node', ['sim', 'list']);
    try {
      const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, 'sim list');
      expect(code).toBe(0);
      expect(aiops.stderr()).toBe('');
      const lines = aiops.stdout().split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => line.split(' ')[0])).toEqual([
        'db-pool-exhaustion',
        'bad-deploy',
        'memory-leak',
        'traffic-surge',
        'crash-loop',
        'slow-dependency',
      ]);
    } finally {
      killGroup(aiops);
    }
  });
});
