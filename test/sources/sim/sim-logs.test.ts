import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { SimulatedLogs } from '../../../src/sources/sim/sim-logs.js';
import { SimWorld } from '../../../src/sources/sim/world.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

function logsOf(scenario?: string, minutesAfterFault = 30) {
  const world = new SimWorld({ clock: new ManualClock(FAULT_START + minutesAfterFault * MINUTE), seed: 9, scenario, faultStart: FAULT_START });
  return { world, logs: new SimulatedLogs(world) };
}

describe('simulated logs', () => {
  it('returns the newest lines first, within the range, at most `limit`', async () => {
    const { logs } = logsOf();
    const start = new Date(FAULT_START);
    const end = new Date(FAULT_START + 10 * MINUTE);
    const lines = await logs.search({ service: 'frontend', start, end, limit: 50 });
    expect(lines).toHaveLength(50);
    for (let index = 1; index < lines.length; index += 1) expect(lines[index]!.timestamp).toBeLessThanOrEqual(lines[index - 1]!.timestamp);
    expect(lines.every((line) => line.timestamp >= start.getTime() && line.timestamp <= end.getTime())).toBe(true);
    expect(lines.every((line) => line.service === 'frontend' && line.pod?.startsWith('frontend-'))).toBe(true);
  });

  it('fills templates with varying values, as real logs do', async () => {
    const { logs } = logsOf();
    const lines = await logs.search({ service: 'order-service', start: new Date(FAULT_START - 60 * MINUTE), end: new Date(FAULT_START), limit: 200 });
    const created = lines.filter((line) => line.message.startsWith('Order ORD-') && line.message.includes(' created for user '));
    expect(created.length).toBeGreaterThan(3);
    expect(new Set(created.map((line) => line.message)).size).toBe(created.length);
  });

  it('filters by level and by text', async () => {
    const { logs } = logsOf('db-pool-exhaustion', 20);
    const range = { service: 'order-service', start: new Date(FAULT_START + 10 * MINUTE), end: new Date(FAULT_START + 20 * MINUTE) };
    const errors = await logs.search({ ...range, minimumLevel: 'error', limit: 1000 });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((line) => line.level === 'error' || line.level === 'fatal')).toBe(true);
    const pool = await logs.search({ ...range, text: 'acquiring CONNECTION', limit: 1000 });
    expect(pool.length).toBeGreaterThan(0);
    expect(pool.every((line) => line.message.toLowerCase().includes('acquiring connection'))).toBe(true);
    const database = await logs.search({ service: 'database', start: range.start, end: range.end, text: 'too many clients', limit: 10 });
    expect(database.length).toBeGreaterThan(0);
  });

  it('gives a level search exactly the lines of that level an unfiltered search shows', async () => {
    const { logs } = logsOf('db-pool-exhaustion', 20);
    const range = { service: 'order-service', start: new Date(FAULT_START - 5 * MINUTE), end: new Date(FAULT_START + 20 * MINUTE), limit: 10_000 };
    const every = await logs.search(range);
    const errors = await logs.search({ ...range, minimumLevel: 'error' });
    const warnings = await logs.search({ ...range, minimumLevel: 'warn' });
    expect(errors.length).toBeGreaterThan(10);
    expect(warnings.length).toBeGreaterThan(errors.length);
    expect(every.length).toBeGreaterThan(warnings.length);
    expect(errors).toEqual(every.filter((line) => line.level === 'error' || line.level === 'fatal'));
    expect(warnings).toEqual(every.filter((line) => line.level !== 'info' && line.level !== 'debug'));
  });

  it('counts errors per interval exactly as many as a search finds', async () => {
    const { logs } = logsOf('bad-deploy', 30);
    const start = new Date(FAULT_START - 5 * MINUTE + 30_000);
    const end = new Date(FAULT_START + 15 * MINUTE);
    const counts = await logs.errorCounts({ service: 'payment', start, end, intervalSeconds: 300 });
    expect(counts.map((count) => count.timestamp)).toEqual([0, 1, 2, 3, 4].map((index) => FAULT_START - 5 * MINUTE + index * 5 * MINUTE));
    const found = await logs.search({ service: 'payment', start, end, minimumLevel: 'error', limit: 10_000 });
    expect(counts.reduce((sum, count) => sum + count.count, 0)).toBe(found.length);
    // Before the bad deploy payment barely errs; after it, a third of its charges fail.
    expect(counts[0]!.count).toBeLessThan(5);
    expect(counts[3]!.count).toBeGreaterThan(100);
  });

  it('names the service when it is not part of the world', async () => {
    const { logs } = logsOf();
    await expect(logs.search({ service: 'billing', start: new Date(FAULT_START), end: new Date(FAULT_START + MINUTE) })).rejects.toThrow('service billing in the simulated world not found');
  });
});
