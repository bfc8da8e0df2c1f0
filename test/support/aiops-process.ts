import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { until } from './until.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Lines of log kept per process, for the test's own checks and for saying what happened when one fails. */
const KEPT_LINES = 20_000;

/** One JSON log line of the bot (pino): `msg`, `level` (30 info, 40 warn…), `time`, and the fields. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number; time?: number };

/** `node --import tsx src/main.ts <role>` as its own process: a bot, a worker, or both in one (`start`). */
export interface AiopsProcess {
  role: 'start' | 'bot' | 'worker';
  /** Its PORT: /healthz, /readyz and, for a bot, the webhook and Slack's events. */
  port: number;
  pid: number;
  child: ChildProcess;
  /** Its JSON log lines so far, oldest first (the last 20,000). */
  logs(): LogLine[];
  /** Calls `listener` with each log line as it is written, from now on. */
  onLine(listener: (line: LogLine) => void): void;
  /** The exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  healthy(): Promise<boolean>;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s; resolves once it has. */
  stop(): Promise<void>;
  /** The last lines of its log and standard error, for a failure message. */
  tail(lines?: number): string;
}

export interface AiopsProcessOptions {
  /** Added to a clean environment of PATH, HOME, PORT and LOG_LEVEL=info. */
  environment: Record<string, string>;
  /** Where its log lines also go (say `process.stderr` while writing a test); default nowhere. */
  echo?: NodeJS.WritableStream;
}

/**
 * Starts the bot as a user does (`node --import tsx src/main.ts <role>` from the repository root),
 * with a clean environment, so nothing set on the developer's machine or in CI changes what it
 * does; reads its JSON log from standard output. Resolves once /healthz answers (up to 60 s: tsx
 * compiles at start on two busy cores). A process left running when the test runner exits is killed.
 */
export async function startAiops(role: AiopsProcess['role'], options: AiopsProcessOptions): Promise<AiopsProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', role], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), LOG_LEVEL: 'info', ...options.environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const lines: LogLine[] = [];
  const listeners: Array<(line: LogLine) => void> = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const text = partial + chunk;
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete) {
      if (raw.trim() === '') continue;
      options.echo?.write(`[${role} ${child.pid}] ${raw}\n`);
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        line = { msg: raw };
      }
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
    options.echo?.write(`[${role} ${child.pid} stderr] ${chunk}`);
  });
  let ended = false;
  void exited.then(() => (ended = true));
  const healthy = () => fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.ok, () => false);
  const aiops: AiopsProcess = {
    role,
    port,
    pid: child.pid!,
    child,
    logs: () => [...lines],
    onLine: (listener) => void listeners.push(listener),
    exited,
    healthy,
    async stop() {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    tail: (count = 15) => [...lines.slice(-count).map((line) => `${line.level ?? ''} ${line.msg ?? ''} ${line.error === undefined ? '' : String(line.error)}`), stderr.trim()].join('\n'),
  };
  try {
    await until(async () => {
      if (ended) throw new Error(`aiops ${role} exited before /healthz answered:\n${aiops.tail()}`);
      return healthy();
    }, `aiops ${role} answering /healthz`, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return aiops;
}

/** Starts several at once (their tsx compilations overlap), stopping those that started if one fails. */
export async function startAiopsProcesses(roles: Array<AiopsProcess['role']>, options: AiopsProcessOptions): Promise<AiopsProcess[]> {
  const started = await Promise.allSettled(roles.map((role) => startAiops(role, options)));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((outcome) => (outcome as PromiseFulfilledResult<AiopsProcess>).value);
}

/** A one-shot command (`aiops jobs --json`, say) as its own process with a clean environment: its exit code and output. */
export async function runAiopsCommand(argv: string[], environment: Record<string, string>, timeoutMilliseconds = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...argv], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMilliseconds);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
