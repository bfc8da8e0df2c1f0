import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { createHarness, expectUserError, run, type Run } from './support/cli-harness.js';
import { freePort } from './support/free-port.js';

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
    expectUserError(await run(['deploy']), 'aiops: unknown command "deploy"; expected start, bot, worker, detect, logs, rca, ask or sim (aiops --help lists them)');
  });
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
    const harness = createHarness({ PORT: String(port), LOG_LEVEL: 'fatal', AIOPS_SCENARIO: 'memory-leak' });
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

    harness.stop('SIGTERM');
    expect(await running).toBe(0);
    expect(harness.stderr.text).toBe('');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
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
