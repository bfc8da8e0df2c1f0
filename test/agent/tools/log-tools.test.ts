import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAXIMUM_TOOL_OUTPUT_CHARACTERS } from '../../../src/agent/tool.js';
import { mineServiceLogs } from '../../../src/jobs/mine-service-logs.js';
import { silentLogger } from '../../../src/logger.js';
import { TemplateMiner, type MinerState } from '../../../src/logs/template-miner.js';
import { SimulatedLogReader } from '../../../src/sources/sim/sim-log-reader.js';
import { LogFindingLog } from '../../../src/state/log-finding-log.js';
import { cleanUp, harness, redis } from './tool-harness.js';
import { MinedLogs } from '../../../src/state/mined-logs.js';
import { WorkClaims } from '../../../src/state/work-claims.js';

afterEach(cleanUp);
afterAll(() => redis.disconnect());

describe('search_logs', () => {
  it('stays under the output limit when thousands of lines match, and says how many', async () => {
    const { call } = harness({ scenario: 'db-pool-exhaustion' });
    const result = await call('search_logs', { service: 'order-service', minutes: 120 });
    expect(result.status).toBe('ok');
    expect(result.output.length).toBeLessThanOrEqual(MAXIMUM_TOOL_OUTPUT_CHARACTERS);
    expect(result.output).toMatch(/^logs of order-service, 17:00–19:00 UTC: at least 1000 lines matched \(counting stops there\), \d+ of the newest 1000 at error or fatal\. Newest \d+ distinct messages/);
    const shown = result.output.split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line));
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThanOrEqual(20);
    expect(shown.every((line) => line.length <= 260)).toBe(true);
    expect(result.queries).toEqual([{ kind: 'logs', text: 'logs of order-service', start: Date.UTC(2026, 10, 24, 17), end: Date.UTC(2026, 10, 24, 19) }]);
  });

  it('finds the database\'s connection errors by words and level, and counts them', async () => {
    const { call } = harness({ scenario: 'db-pool-exhaustion' });
    const result = await call('search_logs', { service: 'database', words: 'too many clients', minimumLevel: 'error', minutes: 5 });
    expect(result.status).toBe('ok');
    const [, matched, errors] = /(\d+) lines matched, (\d+) at error or fatal/.exec(result.output) ?? [];
    expect(Number(matched)).toBeGreaterThan(10);
    expect(errors).toBe(matched);
    // Repeats collapse into one line with their count, so the lines shown are all different.
    const shown = result.output.split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line));
    expect(shown[0]).toMatch(/^\d\d:\d\d:\d\d (ERROR|FATAL) database-\S+( ×\d+)?: FATAL: sorry, too many clients already/);
    expect(new Set(shown.map((line) => line.replace(/^\S+ \S+ \S+( ×\d+)?: /, ''))).size).toBe(shown.length);
  });

  it('answers no-data when nothing matches', async () => {
    const { call } = harness();
    expect((await call('search_logs', { service: 'cache', words: 'no such words anywhere' })).status).toBe('no-data');
  });
});

describe('log_templates', () => {
  it('shows templates with counts, the change and an example, and the findings mining raised', async () => {
    const { call, world, prefix, clock } = harness({ scenario: 'db-pool-exhaustion', faultMinutesAgo: 10 });
    const findings = new LogFindingLog(redis, prefix);
    await mineServiceLogs('database', {
      reader: new SimulatedLogReader(world),
      stores: { minedLogs: new MinedLogs(redis, prefix), claims: new WorkClaims(redis, prefix) },
      now: () => clock.now(),
      logger: silentLogger(),
      createMiner: () => new TemplateMiner(),
      restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
      sink: (finding) => findings.record(finding),
      options: { ingestDelaySeconds: 0 },
    });
    const result = await call('log_templates', { service: 'database' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^Log templates of database, 18:45–19:00 UTC, \d+ lines:/);
    expect(result.output).toMatch(/- \d+ × \[\w+\] .*too many clients.* \(new\)\n {2}e\.g\. FATAL: sorry, too many clients already/);
    expect(result.output).toMatch(/Log findings since 18:45 UTC \(\d+\):\n- \d\d:\d\d new-template: /);
    expect(result.output.length).toBeLessThanOrEqual(MAXIMUM_TOOL_OUTPUT_CHARACTERS);
  });

  it('says mining has not reached a service yet instead of an empty table', async () => {
    const { call } = harness();
    const result = await call('log_templates', { service: 'cart' });
    expect(result.status).toBe('no-data');
    expect(result.output).toContain('search_logs');
  });
});
