import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mineServiceLogs, type LogMiningDependencies } from '../../src/jobs/mine-service-logs.js';
import { silentLogger } from '../../src/logger.js';
import type { LogFinding } from '../../src/logs/log-anomalies.js';
import { TemplateMiner, type MinerState } from '../../src/logs/template-miner.js';
import type { LogCursor, LogPage, LogReader, LogReadRange } from '../../src/sources/log-reader.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { linesForMinute } from '../../src/sources/sim/log-generator.js';
import { SimulatedLogReader } from '../../src/sources/sim/sim-log-reader.js';
import { SimWorld } from '../../src/sources/sim/world.js';
import { testRedis } from '../support/test-redis.js';
import { MinedLogs } from '../../src/state/mined-logs.js';
import { WorkClaims } from '../../src/state/work-claims.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 15, 0, 0);
const { redis } = await testRedis();
const prefixes: string[] = [];

afterEach(async () => {
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});

afterAll(async () => {
  await redis.quit();
});

function harness(scenario: string | undefined, start: number, reader?: (world: SimWorld) => LogReader) {
  const clock = new ManualClock(start);
  const world = new SimWorld({ clock, seed: 21, scenario, faultStart: FAULT_START });
  const prefix = `test:${randomUUID()}:`;
  prefixes.push(prefix);
  const findings: LogFinding[] = [];
  const dependencies: LogMiningDependencies = {
    reader: reader?.(world) ?? new SimulatedLogReader(world),
    stores: { minedLogs: new MinedLogs(redis, prefix), claims: new WorkClaims(redis, prefix) },
    now: () => clock.now(),
    logger: silentLogger(),
    createMiner: () => new TemplateMiner(),
    restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
    sink: async (finding) => void findings.push(finding),
    options: { ingestDelaySeconds: 0 },
  };
  return { clock, world, prefix, findings, dependencies };
}

/** The first minute whose lines include `text`. */
function firstMinuteWith(world: SimWorld, service: string, text: string, from: number, to: number): number {
  for (let minute = from; minute <= to; minute += MINUTE) {
    if (linesForMinute(world, service, minute).some((line) => line.message.includes(text))) return minute;
  }
  throw new Error(`no "${text}" in ${service}`);
}

/** Stops after `pages` pages, as a worker killed mid-pass would. */
class DyingReader implements LogReader {
  constructor(
    private readonly inner: LogReader,
    private pagesLeft: number,
  ) {}

  async *pages(service: string, cursor: LogCursor | undefined, range: LogReadRange): AsyncGenerator<LogPage> {
    for await (const page of this.inner.pages(service, cursor, range)) {
      if (this.pagesLeft <= 0) throw new Error('worker killed');
      this.pagesLeft -= 1;
      yield page;
    }
  }
}

describe('mineServiceLogs on the simulated world', () => {
  it("flags bad-deploy's new error template within one bucket of its first line", async () => {
    const { clock, findings, dependencies } = harness('bad-deploy', FAULT_START - 10 * MINUTE);
    // Asked of a twin world whose clock is already past the fault: the deploy happens as time passes.
    const twin = new SimWorld({ clock: new ManualClock(FAULT_START + 30 * MINUTE), seed: 21, scenario: 'bad-deploy', faultStart: FAULT_START });
    const appears = firstMinuteWith(twin, 'payment', 'NullPointerException', FAULT_START - 10 * MINUTE, FAULT_START + 30 * MINUTE);
    let flaggedAt: number | undefined;
    for (let now = FAULT_START - 10 * MINUTE; now <= appears + 5 * MINUTE && flaggedAt === undefined; now += MINUTE) {
      clock.set(now);
      const run = await mineServiceLogs('payment', dependencies);
      expect(run.ran).toBe(true);
      if (findings.some((finding) => finding.kind === 'new-template' && finding.template.includes('NullPointerException'))) flaggedAt = now;
    }
    const finding = findings.find((candidate) => candidate.kind === 'new-template' && candidate.template.includes('NullPointerException'))!;
    expect(finding).toBeDefined();
    expect(finding.bucketStart).toBe(appears);
    expect(finding.level).toBe('error');
    expect(finding.example).toContain('java.lang.NullPointerException');
    // The bucket is judged as soon as it is whole: at the next pass.
    expect(flaggedAt! - appears).toBeLessThanOrEqual(2 * MINUTE);
    // Before the deploy, the quiet hour raised nothing.
    expect(findings.filter((candidate) => candidate.bucketStart < FAULT_START)).toEqual([]);
  });

  it('flags the onset of a burst of a known template once: order-service timing out on the database pool', async () => {
    const { clock, findings, dependencies } = harness('db-pool-exhaustion', FAULT_START - 10 * MINUTE);
    for (let now = FAULT_START - 10 * MINUTE; now <= FAULT_START + 20 * MINUTE; now += MINUTE) {
      clock.set(now);
      await mineServiceLogs('order-service', dependencies);
    }
    const pool = (kind: LogFinding['kind']) => findings.filter((finding) => finding.kind === kind && finding.template.startsWith('Timeout acquiring connection from pool'));
    // A few lines as the pool starts to run dry: a new template; then the flood, against a baseline of ~0.
    expect(pool('new-template')).toHaveLength(1);
    expect(pool('burst')).toHaveLength(1);
    const burst = pool('burst')[0]!;
    expect(burst.bucketStart).toBeGreaterThan(pool('new-template')[0]!.bucketStart);
    expect(burst.count).toBeGreaterThanOrEqual(10);
    expect(burst.baseline.median).toBe(0);
    expect(burst.example).toMatch(/^Timeout acquiring connection from pool after \d+ms/);
    expect(findings.filter((finding) => finding.bucketStart < FAULT_START)).toEqual([]);
  });

  it('resumes after a worker dies mid-pass without counting a line twice or losing one', async () => {
    const start = FAULT_START - 30 * MINUTE;
    const dying = harness(undefined, start + 20 * MINUTE, (world) => new DyingReader(new SimulatedLogReader(world), 2));
    const options = { ingestDelaySeconds: 0, warmUpMinutes: 20, pageSize: 50 };
    await expect(mineServiceLogs('cart', { ...dying.dependencies, options })).rejects.toThrow('worker killed');
    // Another worker carries on from what the first saved, with the same Redis state.
    const healthy = { ...dying.dependencies, reader: new SimulatedLogReader(dying.world), options };
    const run = await mineServiceLogs('cart', healthy);
    expect(run.linesMined).toBeGreaterThan(0);

    const expected = new Map<number, number>();
    for (let minute = start; minute < start + 20 * MINUTE; minute += MINUTE) expected.set(minute, linesForMinute(dying.world, 'cart', minute).length);
    const stored = new Map<number, number>();
    for (let minute = start; minute < start + 20 * MINUTE; minute += MINUTE) {
      const counts = await redis.hgetall(`${dying.prefix}logs:counts:cart:${minute}`);
      stored.set(minute, Object.values(counts).reduce((sum, count) => sum + Number(count), 0));
    }
    expect(stored).toEqual(expected);
    // The dead worker's two pages of 50 and the second pass make every line up to `until` (inclusive), once.
    const atEnd = linesForMinute(dying.world, 'cart', start + 20 * MINUTE).filter((line) => line.timestamp === start + 20 * MINUTE).length;
    expect(2 * 50 + run.linesMined).toBe([...expected.values()].reduce((sum, count) => sum + count, 0) + atEnd);
  });

  it('summarises the top templates of the last 15 minutes from the mined counts', async () => {
    const { clock, prefix, dependencies } = harness('bad-deploy', FAULT_START - 10 * MINUTE);
    for (let now = FAULT_START - 10 * MINUTE; now <= FAULT_START + 15 * MINUTE; now += MINUTE) {
      clock.set(now);
      await mineServiceLogs('payment', dependencies);
    }
    const summary = await new MinedLogs(redis, prefix).templateSummary('payment', { now: clock.now(), limit: 5 });
    expect(summary.end).toBe(FAULT_START + 15 * MINUTE);
    expect(summary.start).toBe(FAULT_START);
    const pointer = summary.rows.find((row) => row.template.includes('NullPointerException'));
    expect(pointer).toMatchObject({ level: 'error', change: 'new' });
    expect(pointer!.count).toBeGreaterThan(50);
    expect(pointer!.example).toContain('ChargeService.java:');
    const authorised = summary.rows.find((row) => row.template.startsWith('Charge') && row.template.includes('authorised'));
    expect(authorised?.change).toEqual(expect.any(Number));
    expect(summary.rows.map((row) => row.count)).toEqual([...summary.rows.map((row) => row.count)].sort((left, right) => right - left));
  });
});

