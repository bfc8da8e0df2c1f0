import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';

/**
 * The real command line as a user runs it (`node --import tsx src/main.ts bot|worker`, which is
 * what `npm run aiops -- bot` execs), each process its own PORT, its log in a file.
 */
export interface AiopsProcess {
  role: 'bot' | 'worker';
  label: string;
  child: ChildProcess;
  pid: number;
  port: number;
  logPath: string;
}

/** The settings the product reads (src/config.ts): none leaks in from the caller's environment. */
const PRODUCT_VARIABLES = /^(SLACK_|PROMETHEUS_|ELASTICSEARCH_|KUBECONFIG$|OPENAI_|AIOPS_|REDIS_|PORT$|BIND_ADDRESS$|ALERTMANAGER_|KIBANA_|LOG_LEVEL$|NODE_ENV$|NODE_OPTIONS$)/;

export interface SpawnOptions {
  repository: string;
  directory: string;
  /** REDIS_URL, AIOPS_CONFIG and whatever else the run sets. */
  environment: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

export async function spawnAiops(role: 'bot' | 'worker', label: string, options: SpawnOptions): Promise<AiopsProcess> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => value !== undefined && !PRODUCT_VARIABLES.test(name))) as Record<string, string>;
  const logPath = join(options.directory, `${label}.log`);
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', 'src/main.ts', role], {
    cwd: options.repository,
    env: { ...inherited, ...options.environment, PORT: String(port) },
    // Straight into a file: the bench's own event loop never carries the processes' logs.
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return { role, label, child, pid: child.pid!, port, logPath };
}

/** Waits for GET /healthz to answer 200; a process that exits first fails with its log's tail. */
export async function waitHealthy(aiops: AiopsProcess, timeoutMilliseconds = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (Date.now() < deadline) {
    if (aiops.child.exitCode !== null) throw new Error(`${aiops.label} exited (${aiops.child.exitCode}) before it was healthy: ${logTail(aiops)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${aiops.port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${aiops.label} did not answer /healthz within ${timeoutMilliseconds / 1000} s: ${logTail(aiops)}`);
}

/** SIGTERM, as an orchestrator stops it; SIGKILL after 15 s. Resolves with how it ended. */
export async function stopAiops(aiops: AiopsProcess): Promise<string> {
  if (aiops.child.exitCode !== null || aiops.child.signalCode !== null) return `already exited (${aiops.child.exitCode ?? aiops.child.signalCode})`;
  const exited = new Promise<string>((resolve) => aiops.child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  aiops.child.kill('SIGTERM');
  const killer = setTimeout(() => aiops.child.kill('SIGKILL'), 15_000);
  const outcome = await exited;
  clearTimeout(killer);
  return outcome;
}

export function logTail(aiops: AiopsProcess, lines = 5): string {
  try {
    return readFileSync(aiops.logPath, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User plus system CPU seconds of a live process, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface JobTotals {
  runs: number;
  failed: number;
  seconds: number;
}

/** Per queue: job runs, failures and the seconds they took, from a worker's GET /metrics. */
export async function jobTotals(aiops: AiopsProcess): Promise<Map<string, JobTotals>> {
  const totals = new Map<string, JobTotals>();
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${aiops.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  } catch {
    return totals;
  }
  const entry = (queue: string) => totals.get(queue) ?? totals.set(queue, { runs: 0, failed: 0, seconds: 0 }).get(queue)!;
  for (const match of text.matchAll(/^aiops_job_runs_total\{queue="([^"]+)",outcome="([^"]+)"\} (\S+)$/gm)) {
    entry(match[1]!).runs += Number(match[3]);
    if (match[2] === 'failed') entry(match[1]!).failed += Number(match[3]);
  }
  for (const match of text.matchAll(/^aiops_job_duration_seconds_sum\{queue="([^"]+)"\} (\S+)$/gm)) entry(match[1]!).seconds += Number(match[2]);
  return totals;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
