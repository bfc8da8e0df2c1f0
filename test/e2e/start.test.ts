import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

/**
 * The process as a user starts it: `node --import tsx src/main.ts …` from the repository root,
 * with a clean environment (only PATH and HOME from ours), so nothing set on the developer's
 * machine or in CI can make these pass or fail.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Two busy cores: tsx compiles on start, which can take seconds. */
const START_TIMEOUT_MILLISECONDS = 30_000;
const STOP_TIMEOUT_MILLISECONDS = 10_000;
const STACK_FRAME = '    at ';

interface Aiops {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal that killed it) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startAiops(argv: string[], environment: Record<string, string> = {}): Aiops {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...argv], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits for stdout to contain `text`; fails early, with what was printed, if the process exits first. */
async function waitForOutput(aiops: Aiops, text: string, timeoutMilliseconds: number): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  let exited = false;
  void aiops.exited.then(() => (exited = true));
  while (!aiops.stdout().includes(text)) {
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

/** Pino writes one JSON object a line when stdout is not a terminal. */
function logMessages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}


describe('the aiops process', () => {
  it('start: watches the simulated estate, serves /healthz and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const aiops = startAiops(['start'], { PORT: String(port), AIOPS_SCENARIO: 'bad-deploy' });
    try {
      await waitForOutput(aiops, 'watching 10 services', START_TIMEOUT_MILLISECONDS);

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
      expect(messages).toContain(`watching 10 services; /healthz on port ${port}`);
      expect(messages.at(-1)).toBe('stopped');
      expect(aiops.stderr()).toBe('');
    } finally {
      aiops.child.kill('SIGKILL');
    }
  });

  it('start: a half-configured Slack app stops it with one line naming the missing variable', async () => {
    const aiops = startAiops(['start'], { SLACK_BOT_TOKEN: 'xoxb-1' });
    try {
      const { code } = await withTimeout(aiops.exited, START_TIMEOUT_MILLISECONDS, 'refusing the configuration');
      expect(code).toBe(2);
      expect(aiops.stdout()).toBe('');
      expect(aiops.stderr()).not.toContain(STACK_FRAME);
      expect(aiops.stderr()).toBe(
        'aiops: SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (requests are verified with it); or set SLACK_APP_TOKEN for Socket Mode\n',
      );
    } finally {
      aiops.child.kill('SIGKILL');
    }
  });

  it('sim list: prints the six scenarios and exits 0', async () => {
    const aiops = startAiops(['sim', 'list']);
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
      aiops.child.kill('SIGKILL');
    }
  });
});
