import { freePort } from './free-port.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /**
   * Kills Prometheus (SIGKILL by default: a crash, an OOM kill) and keeps its data and its port
   * number for `restart`. Nothing answers on the URL until then; safe to call when it is not running.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts Prometheus again on the same port over the same data; resolves when it answers queries. */
  restart(): Promise<void>;
  /** Stops Prometheus and removes its data; safe to call twice. */
  close(): Promise<void>;
}

export interface StartPrometheusOptions {
  /**
   * `--storage.tsdb.retention.time` (default `10y`). Prometheus 2.42 measures retention back from
   * the newest block, not from now, so a long retention keeps every backfilled block however old.
   */
  retention?: string;
  /** How long to wait for Prometheus to be ready and the backfill to be queryable (default 60 s). */
  readyTimeoutMilliseconds?: number;
}

const INSTALL_HINT =
  "CI installs Debian's prometheus (apt-get install -y --no-install-recommends prometheus, see .ci/run); install it the same way to run these tests";

/**
 * Runs a real Prometheus over `openMetricsText` backfilled with `promtool tsdb create-blocks-from
 * openmetrics`. Every sample needs a timestamp and the text must end with `# EOF`. Several texts
 * (histories of separate time ranges, each a file of its own) are backfilled one after the other
 * into the same storage. Prometheus scrapes nothing (empty scrape config), so the backfill is all it holds.
 *
 * promtool 2.42 has no `--max-block-duration`: it writes one block per 2-hour window and re-reads
 * the whole file for each one, so a month of history takes a few hundred passes over the text.
 *
 * Throws, never skips, when the binaries are missing: a test that cannot reach its service fails.
 */
export async function startPrometheus(openMetricsText: string | readonly string[], options: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  const settings = { retention: '10y', readyTimeoutMilliseconds: 60_000, ...options };
  const texts = typeof openMetricsText === 'string' ? [openMetricsText] : openMetricsText;
  if (!texts.every((text) => /# EOF\n?$/.test(text))) {
    throw new Error('startPrometheus: OpenMetrics text must end with "# EOF" (promtool refuses it otherwise)');
  }
  await requireBinary('promtool');
  await requireBinary('prometheus');

  const directory = await mkdtemp(join(tmpdir(), 'aiops-prometheus-'));
  const removeDirectory = () => rm(directory, { recursive: true, force: true });
  try {
    const dataPath = join(directory, 'data');
    const configPath = join(directory, 'prometheus.yml');
    await writeFile(configPath, 'scrape_configs: []\n');
    for (const [index, text] of texts.entries()) {
      const inputPath = join(directory, `history-${index}.om.txt`);
      await writeFile(inputPath, text);
      await backfill(inputPath, dataPath);
    }
    const hasBlocks = (await readdir(dataPath).catch(() => [])).some((entry) => /^[0-9A-Z]{26}$/.test(entry));
    let running = await launchOnFreePort(configPath, dataPath, settings);
    const port = Number(new URL(running.url).port);
    const close = onceAsync(async () => {
      await stop(running.process);
      await removeDirectory();
    });
    const ready = async () => {
      await waitUntil(`${running.url}/-/ready`, running, settings.readyTimeoutMilliseconds, async (response) => response.ok);
      if (hasBlocks) {
        // Ready means the TSDB opened; asking for metric names proves the blocks are loaded and queryable.
        await waitUntil(`${running.url}/api/v1/label/__name__/values`, running, settings.readyTimeoutMilliseconds, async (response) => {
          if (!response.ok) return false;
          const body = (await response.json()) as { data?: unknown[] };
          return (body.data?.length ?? 0) > 0;
        });
      }
    };
    try {
      await ready();
    } catch (error) {
      await close();
      throw error;
    }
    const kill = async (signal: NodeJS.Signals = 'SIGKILL') => stop(running.process, signal);
    const restart = async () => {
      await stop(running.process);
      running = await launchOnPort(port, configPath, dataPath, settings);
      await ready();
    };
    return { url: running.url, kill, restart, close };
  } catch (error) {
    await removeDirectory();
    throw error;
  }
}

async function requireBinary(name: string): Promise<void> {
  try {
    await execFileAsync(name, ['--version']);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : (error as Error).message;
    throw new Error(`startPrometheus: ${name} ${reason}; ${INSTALL_HINT}`, { cause: error });
  }
}

async function backfill(inputPath: string, dataPath: string): Promise<void> {
  try {
    await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', inputPath, dataPath], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`startPrometheus: promtool backfill failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

interface RunningPrometheus {
  url: string;
  process: ChildProcess;
  /** The last lines Prometheus logged, for the error when it dies. */
  output: () => string;
  exited: () => boolean;
}

async function launchOnFreePort(
  configPath: string,
  dataPath: string,
  settings: Required<StartPrometheusOptions>,
): Promise<RunningPrometheus> {
  // The port is free when we ask but another process may take it before Prometheus binds; try again then.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const running = launch(port, configPath, dataPath, settings);
    const bound = await Promise.race([
      new Promise<boolean>((resolve) => running.process.once('exit', () => resolve(false))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
    ]);
    if (bound || !/address already in use/.test(running.output()) || attempt === 3) return running;
  }
}

/** The same port again (a restart): another process may hold it for a moment after the kill; wait for it. */
async function launchOnPort(port: number, configPath: string, dataPath: string, settings: Required<StartPrometheusOptions>): Promise<RunningPrometheus> {
  for (let attempt = 1; ; attempt += 1) {
    const running = launch(port, configPath, dataPath, settings);
    const bound = await Promise.race([
      new Promise<boolean>((resolve) => running.process.once('exit', () => resolve(false))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
    ]);
    if (bound || !/address already in use/.test(running.output()) || attempt === 10) return running;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function launch(port: number, configPath: string, dataPath: string, settings: Required<StartPrometheusOptions>): RunningPrometheus {
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${dataPath}`,
      `--storage.tsdb.retention.time=${settings.retention}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  // A test runner that dies without calling close() must not leave Prometheus running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => output, exited: () => exited };
}


async function waitUntil(
  url: string,
  running: RunningPrometheus,
  timeoutMilliseconds: number,
  isDone: (response: Response) => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (Date.now() < deadline) {
    if (running.exited()) {
      throw new Error(`startPrometheus: prometheus exited before it was ready: ${lastLines(running.output())}`);
    }
    try {
      if (await isDone(await fetch(url, { signal: AbortSignal.timeout(2_000) }))) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`startPrometheus: ${url} not ready after ${timeoutMilliseconds} ms: ${lastLines(running.output())}`);
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function onceAsync(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-5).join(' | ') || '(no output)';
}
