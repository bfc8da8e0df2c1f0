import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { createHarness, expectUserError, run, type Run } from './support/cli-harness.js';
import { freePort } from './support/free-port.js';
import { testRedis } from './support/test-redis.js';

const SCENARIO_NAMES = ['db-pool-exhaustion', 'bad-deploy', 'memory-leak', 'traffic-surge', 'crash-loop', 'slow-dependency'];
describe('aiops: help and commands', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage and exits 0', async (flag) => {
    const result = await run([flag]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^usage: aiops <command> \[options\]\n/);
    expect(result.stdout).toContain('sim export');
    expect(result.stderr).toBe('');
  });

  it('without a command prints the usage and exits 2, so a script notices', async () => {
    const result = await run([]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/^usage: aiops <command> \[options\]\n/);
  });

  it('refuses an unknown command in one line', async () => {
    expectUserError(await run(['deploy']), 'aiops: unknown command "deploy"; expected start, bot, worker, detect, logs, rca, forecast, ask, sim or jobs (aiops --help lists them)');
  });
});

describe('every command answers --help, and does nothing else', () => {
  // Anything beyond printing the help would fail here: Redis refuses, the port is taken, Slack is
  // unreachable and the catalogue does not exist.
  let busy: Server;
  let environment: Record<string, string>;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const closed = await freePort();
    environment = {
      REDIS_URL: `redis://127.0.0.1:${closed}/0`,
      PORT: String((busy.address() as { port: number }).port),
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
      AIOPS_CONFIG: join(tmpdir(), 'aiops-no-such-catalogue.yml'),
    };
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  const commands: Array<[string[], string]> = [
    [['start'], 'usage: aiops start [--queues LIST]\n'],
    [['bot'], 'usage: aiops bot\n'],
    [['worker'], 'usage: aiops worker [--queues LIST]\n'],
    [['detect'], 'usage: aiops detect --input'],
    [['logs'], 'usage: aiops logs templates --input'],
    [['logs', 'templates'], 'usage: aiops logs templates --input'],
    [['rca'], 'usage: aiops rca --case'],
    [['ask'], 'usage: aiops ask QUESTION\n'],
    [['sim'], 'usage: aiops sim list\n'],
    [['sim', 'list'], 'usage: aiops sim list\n'],
    [['sim', 'export'], 'usage: aiops sim list\n'],
  ];
  const cases = commands.flatMap(([command, usage]) => ['--help', '-h'].map((flag) => [`${command.join(' ')} ${flag}`, [...command, flag], usage] as const));

  it.each(cases)('%s prints its usage and exits 0', async (_name, argv, usage) => {
    const result = await run([...argv], environment);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.startsWith(usage), result.stdout).toBe(true);
  });

  it('start, bot and worker say how they are configured and how they stop', async () => {
    const { stdout } = await run(['worker', '--help'], environment);
    expect(stdout).toContain('Settings come from the environment (REDIS_URL, PORT,');
    expect(stdout).toContain('--queues LIST');
    expect(stdout).toContain('Runs until SIGINT or SIGTERM');
  });

  it.each([['bot', ['extra']]] as const)('%s refuses arguments in one line: settings come from the environment', async (role, rest) => {
    expectUserError(await run([role, ...rest], environment), `aiops: ${role}: takes no arguments, got "${rest.join(' ')}"; settings come from the environment (aiops ${role} --help)`);
  });

  it.each([['start', ['--port', '3000']], ['worker', ['detection']]] as const)('%s takes --queues alone, and says so in one line', async (role, rest) => {
    expectUserError(await run([role, ...rest], environment), `aiops: ${role}: takes no arguments but --queues LIST, got "${rest.join(' ')}"; settings come from the environment (aiops ${role} --help)`);
  });

  it.each([
    ['--queues', 'detection,alerts', '--queues: expected a comma-separated list of detection, training, forecast, logs, healing; got "alerts"'],
    ['--queues', 'logs,logs', '--queues: expected a comma-separated list of detection, training, forecast, logs, healing, each once; got "logs" twice'],
    ['--queues=', '', '--queues: expected a comma-separated list of detection, training, forecast, logs, healing; got an empty entry'],
  ])('worker %s %s: one line naming the flag and the queues it knows, before anything starts', async (flag, value, message) => {
    const argv = flag.endsWith('=') ? ['worker', `${flag}${value}`] : ['worker', flag, value];
    expectUserError(await run(argv, environment), `aiops: ${message}`);
  });

  it('a bad AIOPS_WORKER_CONCURRENCY or AIOPS_QUEUE_RATE_LIMITS stops a worker with one line naming the variable', async () => {
    expectUserError(await run(['worker'], { ...environment, AIOPS_WORKER_CONCURRENCY: 'detection=0' }), 'aiops: AIOPS_WORKER_CONCURRENCY: expected queue=jobs pairs like detection=8,logs=2 (jobs a whole number from 1 to 256; queues detection, training, forecast, logs, healing); got "detection=0"');
    expectUserError(await run(['worker'], { ...environment, AIOPS_QUEUE_RATE_LIMITS: 'forecast=30' }), 'aiops: AIOPS_QUEUE_RATE_LIMITS: expected queue=jobs/period pairs like forecast=30/1m (period in s, m or h; queues detection, training, forecast, logs, healing); got "forecast=30"');
  });
});

describe('a command loads only what it uses', () => {
  const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
  /** What the bot needs and these commands do not: seconds of start-up between them. */
  const HEAVY_PACKAGES = ['@kubernetes/client-node', '@langchain/', 'langchain', '@slack/', 'bullmq', 'ioredis', '@elastic/', 'prometheus-query', 'openai', 'prom-client'];
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'aiops-cli-imports-'));
    // A module hook that sees every ESM resolution and lists the packages the process loaded.
    writeFileSync(
      join(directory, 'hooks.mjs'),
      `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
`,
    );
    writeFileSync(
      join(directory, 'record.mjs'),
      `import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => writeFileSync(process.env.RECORD_IMPORTS, [...loaded].join('\\n')));
`,
    );
    writeFileSync(join(directory, 'ten.log'), Array.from({ length: 10 }, (_, index) => `INFO user ${index} logged in from 10.0.0.${index}`).join('\n') + '\n');
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  let runs = 0;

  /**
   * Runs the CLI as a user does (`node --import tsx src/main.ts …`); returns the packages it loaded
   * and what it printed. REDIS_URL names a closed port unless `settings` gives one: a command that
   * wrongly starts the bot fails instead of touching a Redis.
   */
  async function recordedRun(argv: string[], settings: Record<string, string> = {}): Promise<{ packages: string[]; stdout: string }> {
    runs += 1;
    const record = join(directory, `imports-${runs}.txt`);
    const environment = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RECORD_IMPORTS: record, REDIS_URL: `redis://127.0.0.1:${await freePort()}/0`, ...settings };
    const stdout = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--import', join(directory, 'record.mjs'), 'src/main.ts', ...argv], { cwd: REPOSITORY_ROOT, env: environment, timeout: 80_000, killSignal: 'SIGKILL' }, (_error, output) => resolve(output));
    });
    const packages = readFileSync(record, 'utf8')
      .split('\n')
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'tsx' && name !== 'esbuild' && name !== 'get-tsconfig');
    return { packages: [...new Set(packages)].sort(), stdout };
  }

  const packagesLoaded = async (argv: string[]): Promise<string[]> => (await recordedRun(argv)).packages;

  it.each([
    ['--help', ['--help']],
    ['logs templates on ten lines', ['logs', 'templates', '--input', 'ten.log']],
    ['start --help', ['start', '--help']],
    ['ask --help', ['ask', '--help']],
  ])('%s loads none of the bot\'s heavy packages', async (_name, argv) => {
    const packages = await packagesLoaded(argv.map((argument) => (argument === 'ten.log' ? join(directory, 'ten.log') : argument)));
    expect(packages.filter((name) => HEAVY_PACKAGES.some((heavy) => name.startsWith(heavy))), `loaded: ${packages.join(', ')}`).toEqual([]);
  });

  it('sees the packages a command does load (so the test above can fail)', async () => {
    // A question loads the sources and Redis, then stops at the closed port.
    const packages = await packagesLoaded(['ask', 'why is checkout failing?']);
    expect(packages).toContain('ioredis');
  });

  it('ask on the simulated world answers without loading the real sources\' clients (Kubernetes, Elasticsearch, Prometheus)', async () => {
    const { url, redis } = await testRedis();
    try {
      const { packages, stdout } = await recordedRun(['ask', 'why is checkout failing?'], { REDIS_URL: url });
      // Answered, not stopped half-way: the whole path ran (the default scenario's fault is in the database).
      expect(stdout).toContain('database');
      expect(packages.filter((name) => name === '@kubernetes/client-node' || name.startsWith('@elastic/') || name === 'prometheus-query'), `loaded: ${packages.join(', ')}`).toEqual([]);
    } finally {
      redis.disconnect();
    }
    // `ask` scores a day of the whole estate first: seconds alone, much longer on a loaded 2-core machine.
  }, 90_000);
});

describe('aiops sim', () => {
  it('sim list prints one scenario a line, its name first and then what it does', async () => {
    const result = await run(['sim', 'list']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(6);
    lines.forEach((line, index) => {
      const match = /^(\S+) +(\S.*)$/.exec(line);
      expect(match, line).not.toBeNull();
      expect(match![1]).toBe(SCENARIO_NAMES[index]);
      // What it does is words, not just the root cause's name.
      expect(match![2]!.length).toBeGreaterThan(30);
      expect(match![2]).toMatch(/\(root cause: [a-z-]+; fix: .+\)$/);
    });
  });

  it('sim list refuses arguments', async () => {
    expectUserError(await run(['sim', 'list', 'extra']), 'aiops: sim list: takes no arguments, got "extra"');
  });

  it('refuses an unknown subcommand', async () => {
    expectUserError(await run(['sim', 'import']), 'aiops: sim: unknown subcommand "import"; expected list or export');
  });

  it('sim export --help prints the usage and exits 0', async () => {
    const result = await run(['sim', 'export', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^usage: aiops sim list\n/);
    expect(result.stdout).toContain('--openmetrics');
  });

  it('sim export without --openmetrics names the missing flag', async () => {
    expectUserError(await run(['sim', 'export']), 'aiops: --openmetrics: required: OpenMetrics is the export format');
  });

  describe('sim export refuses a bad flag in one line', () => {
    const cases: Array<[string, string[], string | RegExp]> = [
      ['--hours 0', ['--hours', '0'], 'aiops: --hours: expected a whole number from 1 to 336, got "0"'],
      ['--hours 337', ['--hours', '337'], 'aiops: --hours: expected a whole number from 1 to 336, got "337"'],
      ['--hours 1.5', ['--hours', '1.5'], 'aiops: --hours: expected a whole number from 1 to 336, got "1.5"'],
      ['--end yesterday', ['--end', 'yesterday'], 'aiops: --end: expected an ISO time such as 2026-11-25T12:00:00Z, got "yesterday"'],
      ['--seed abc', ['--seed', 'abc'], 'aiops: --seed: expected a whole number from 0 to 2147483648, got "abc"'],
      ['--seed=-1', ['--seed=-1'], 'aiops: --seed: expected a whole number from 0 to 2147483648, got "-1"'],
      // Node's parseArgs words this one over three lines; the user still gets one.
      ['--seed -1', ['--seed', '-1'], /^aiops: Option '--seed' argument is ambiguous\. /],
      [
        '--fault-minutes-ago beyond the history',
        ['--hours', '1', '--fault-minutes-ago', '61'],
        'aiops: --fault-minutes-ago: expected a whole number from 0 to 60, got "61"',
      ],
      [
        '--scenario meteor',
        ['--scenario', 'meteor'],
        'aiops: --scenario: unknown scenario "meteor"; expected one of db-pool-exhaustion, bad-deploy, memory-leak, traffic-surge, crash-loop, slow-dependency',
      ],
      ['an unknown flag', ['--format', 'json'], /^aiops: Unknown option '--format'/],
      ['a stray argument', ['metrics.om'], /^aiops: Unexpected argument 'metrics\.om'/],
    ];

    it.each(cases)('%s', async (_name, flags, expectedLine) => {
      expectUserError(await run(['sim', 'export', '--openmetrics', ...flags]), expectedLine);
    });

    it('an --output it cannot write', async () => {
      const path = join(tmpdir(), 'aiops-no-such-directory', 'history.om');
      expectUserError(
        await run(['sim', 'export', '--openmetrics', '--hours', '1', '--output', path]),
        `aiops: --output: cannot write ${path}: ENOENT: no such file or directory, open '${path}'`,
      );
    });
  });
});

interface Sample {
  name: string;
  labels: string;
  value: number;
  timestampSeconds: number;
}

/** Parses sample lines strictly: a line in no known shape fails the test rather than being skipped. */
function parseOpenMetrics(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n').slice(0, -2)) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\}) (\S+) (\d+)$/.exec(line);
    if (!sample) throw new Error(`not an OpenMetrics line: ${JSON.stringify(line)}`);
    samples.push({ name: sample[1]!, labels: sample[2]!, value: Number(sample[3]), timestampSeconds: Number(sample[4]) });
  }
  return { types, samples };
}

/** The family a sample belongs to: counters drop `_total`, histograms their `_bucket`, `_count`, `_sum`. */
function familyOf(sampleName: string, types: Map<string, string>): string | undefined {
  for (const suffix of ['_total', '_bucket', '_count', '_sum', '']) {
    if (sampleName.endsWith(suffix)) {
      const family = sampleName.slice(0, sampleName.length - suffix.length);
      if (types.has(family)) return family;
    }
  }
  return undefined;
}

/** Increase of every series of `name` matching `labelFilter` over the export, summed. */
function totalIncrease(samples: Sample[], name: string, labelFilter: string[]): number {
  const firstAndLast = new Map<string, { first: number; last: number }>();
  for (const sample of samples) {
    if (sample.name !== name || !labelFilter.every((label) => sample.labels.includes(label))) continue;
    const seen = firstAndLast.get(sample.labels);
    if (seen) seen.last = sample.value;
    else firstAndLast.set(sample.labels, { first: sample.value, last: sample.value });
  }
  return [...firstAndLast.values()].reduce((sum, { first, last }) => sum + last - first, 0);
}

describe('aiops sim export --openmetrics', () => {
  const END = '2026-11-25T12:00:00Z';
  const endSeconds = Date.parse(END) / 1000;
  const exportArguments = ['sim', 'export', '--openmetrics', '--hours', '1', '--end', END, '--scenario', 'bad-deploy'];
  let directory: string;
  let exported: Run;
  let parsed: ReturnType<typeof parseOpenMetrics>;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'aiops-cli-test-'));
    exported = await run(exportArguments);
    parsed = parseOpenMetrics(exported.stdout);
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits 0 and writes only to stdout', () => {
    expect(exported.exitCode).toBe(0);
    expect(exported.stderr).toBe('');
  });

  it('declares the families the catalogue queries, and ends with # EOF once', () => {
    const { types } = parsed;
    expect(types.get('container_cpu_usage_seconds')).toBe('counter');
    expect(types.get('container_memory_working_set_bytes')).toBe('gauge');
    expect(types.get('kube_pod_container_status_restarts')).toBe('counter');
    expect(types.get('http_requests')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(exported.stdout.endsWith('\n# EOF\n')).toBe(true);
    expect(exported.stdout.split('# EOF').length).toBe(2);
  });

  it('stamps every sample in seconds, on the minute, within the hour asked for', () => {
    const { types, samples } = parsed;
    expect(samples.length).toBeGreaterThan(1000);
    const timestamps = [...new Set(samples.map((sample) => sample.timestampSeconds))].sort((left, right) => left - right);
    expect(timestamps[0]).toBe(endSeconds - 3600);
    expect(timestamps.at(-1)).toBe(endSeconds);
    expect(timestamps.filter((timestamp) => timestamp % 60 !== 0)).toEqual([]);
    // Collected, then asserted once: an expect per sample would make this test slow.
    const undeclared = new Set(samples.filter((sample) => familyOf(sample.name, types) === undefined).map((sample) => sample.name));
    expect([...undeclared]).toEqual([]);
    expect(samples.filter((sample) => !Number.isFinite(sample.value)).slice(0, 3)).toEqual([]);
  });

  it('keeps each series in time order, and never lets a counter go down', () => {
    const { types, samples } = parsed;
    const previousBySeries = new Map<string, Sample>();
    let cumulativeSamples = 0;
    for (const sample of samples) {
      const series = `${sample.name}${sample.labels}`;
      const previous = previousBySeries.get(series);
      previousBySeries.set(series, sample);
      if (!previous) continue;
      if (sample.timestampSeconds <= previous.timestampSeconds) throw new Error(`${series} goes back in time at ${sample.timestampSeconds}`);
      // Histogram buckets, counts and sums are cumulative too.
      if (types.get(familyOf(sample.name, types)!) === 'gauge') continue;
      cumulativeSamples += 1;
      if (sample.value < previous.value) throw new Error(`${series} went from ${previous.value} to ${sample.value} at ${sample.timestampSeconds}`);
    }
    expect(cumulativeSamples).toBeGreaterThan(1000);
  });

  it('plays the scenario: payment fails far more often than in a healthy estate', async () => {
    const healthy = await run(['sim', 'export', '--openmetrics', '--hours', '1', '--end', END]);
    expect(healthy.exitCode).toBe(0);
    const errorShare = ({ samples }: ReturnType<typeof parseOpenMetrics>): number => {
      const failed = totalIncrease(samples, 'http_requests_total', ['service="payment"', 'code="500"']);
      const all = totalIncrease(samples, 'http_requests_total', ['service="payment"']);
      expect(all).toBeGreaterThan(0);
      return failed / all;
    };
    // bad-deploy makes about a third of charges fail (0.35 here); a healthy payment service, about 0.1%.
    expect(errorShare(parsed)).toBeGreaterThan(0.25);
    expect(errorShare(parseOpenMetrics(healthy.stdout))).toBeLessThan(0.02);
  });

  it('is the same for the same arguments', async () => {
    const again = await run(exportArguments);
    expect(again.stdout === exported.stdout).toBe(true);
  });

  it('--output FILE writes the same bytes to the file and nothing to stdout', async () => {
    const path = join(directory, 'history.om');
    const result = await run([...exportArguments, '--output', path]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    // Compared as one boolean: a diff of megabytes helps nobody.
    expect(readFileSync(path, 'utf8') === exported.stdout).toBe(true);
  });
});

describe('aiops start', () => {
  let redisUrl: string;
  let redis: Redis;
  let database: number;

  beforeAll(async () => {
    ({ url: redisUrl, redis, database } = await testRedis());
  });

  afterAll(() => {
    redis.disconnect();
  });

  /** Connections to this test's database, but for the test's own: what the bot left open. */
  async function botConnections(): Promise<string[]> {
    const own = await redis.client('ID');
    const clients = (await redis.client('LIST')) as string;
    return clients.split('\n').filter((line) => line.includes(` db=${database} `) && !line.startsWith(`id=${own} `));
  }

  async function expectNoBotConnection(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while ((await botConnections()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await botConnections()).toEqual([]);
  }

  it('refuses a bad environment in one line naming the variable', async () => {
    expectUserError(await run(['start'], { PORT: 'abc' }), 'aiops: PORT: expected a port number between 0 and 65535');
  });

  it('refuses a catalogue that does not exist, naming AIOPS_CONFIG', async () => {
    const path = join(tmpdir(), 'aiops-no-such-catalogue.yml');
    expectUserError(await run(['start'], { AIOPS_CONFIG: path }), `aiops: AIOPS_CONFIG (${path}): cannot read the catalogue: file not found`);
  });

  it('serves /healthz until the stop signal, then closes its port and exits 0', async () => {
    const port = await freePort();
    // LOG_LEVEL=fatal: the logger writes to the real stdout, which would clutter the test report.
    const harness = createHarness({ PORT: String(port), REDIS_URL: redisUrl, LOG_LEVEL: 'fatal', AIOPS_SCENARIO: 'memory-leak' });
    let exitCode: number | undefined;
    const running = runCli(['start'], harness.context).then((code) => {
      exitCode = code;
      return code;
    });

    const health = await waitForHealth(port);
    expect(health).toMatchObject({ status: 'ok', services: 10, sources: { metrics: 'sim', logs: 'sim', cluster: 'sim' } });
    expect((health.simulation as { scenario: string }).scenario).toBe('memory-leak');
    // Still serving: only the stop signal ends `start`.
    expect(exitCode).toBeUndefined();

    expect((await botConnections()).length).toBeGreaterThan(0);

    harness.stop('SIGTERM');
    expect(await running).toBe(0);
    expect(harness.stderr.text).toBe('');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expectNoBotConnection();
  });

  it('with its PORT taken, fails in one line and closes what it had opened', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const harness = createHarness({ PORT: String(port), REDIS_URL: redisUrl, LOG_LEVEL: 'fatal' });
      const exitCode = await runCli(['start'], harness.context);
      expectUserError({ exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text }, `aiops: PORT: port ${port} is already in use; set PORT to a free port`);
      // Redis was reached first; its connections are closed again, and no worker was left behind.
      await expectNoBotConnection();
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});


async function waitForHealth(port: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return (await response.json()) as Record<string, unknown>;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
