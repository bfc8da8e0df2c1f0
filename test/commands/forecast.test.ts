import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, run } from '../support/cli-harness.js';

const directory = mkdtempSync(join(tmpdir(), 'aiops-forecast-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Five-minute rows of a daily wave, NAB's timestamp style. */
function seriesText(rows: number, wave = (index: number) => 50 + 20 * Math.sin((2 * Math.PI * index) / 288) + ((index * 7919) % 13) / 13): string {
  const lines = ['timestamp,value'];
  const start = Date.UTC(2014, 3, 1);
  for (let index = 0; index < rows; index += 1) lines.push(`${new Date(start + index * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${wave(index).toFixed(3)}`);
  return `${lines.join('\n')}\n`;
}

describe('aiops forecast', () => {
  it('forecasts from the last row on: timestamps one step apart, bounds around the point', async () => {
    const input = join(directory, 'wave.csv');
    writeFileSync(input, seriesText(4 * 288));
    const result = await run(['forecast', '--input', input, '--horizon', '6h']);
    expect(result.exitCode).toBe(0);
    const body = JSON.parse(result.stdout) as { step_seconds: number; model: string; timestamps: string[]; point: number[]; lower: number[]; upper: number[] };
    expect(body.step_seconds).toBe(300);
    expect(body.timestamps).toHaveLength(72);
    expect(body.timestamps[0]).toBe('2014-04-05 00:00:00');
    expect(body.timestamps[71]).toBe('2014-04-05 05:55:00');
    body.point.forEach((point, index) => {
      expect(body.lower[index]!).toBeLessThanOrEqual(point);
      expect(body.upper[index]!).toBeGreaterThanOrEqual(point);
      // The wave continues: the truth at that step is 50 + 20 sin(...), give or take the 1-unit ripple.
      expect(Math.abs(point - (50 + 20 * Math.sin((2 * Math.PI * (4 * 288 + index)) / 288)))).toBeLessThan(3);
    });
    expect(body.model).toMatch(/season/);
  });

  it('backtests a directory as the protocol says: origins a day apart after a week, 1 hour and 1 day ahead', async () => {
    const input = join(directory, 'nab');
    mkdirSync(join(input, 'realExample'), { recursive: true });
    writeFileSync(join(input, 'realExample', 'nine_days.csv'), seriesText(9 * 288));
    const output = join(directory, 'predictions');
    const result = await run(['forecast', '--input', input, '--backtest', '--output', output]);
    expect(result.exitCode).toBe(0);
    const body = JSON.parse(readFileSync(join(output, 'realExample', 'nine_days.json'), 'utf8')) as { origins: Array<{ origin: string; origin_index: number; horizon: number; yhat: number[]; upper: number[] }> };
    const summary = body.origins.map((origin) => [origin.origin, origin.origin_index, origin.horizon, origin.yhat.length, origin.upper.length]);
    // Origins 7·288−1 and 8·288−1; the last leaves room for a day (8·288−1 + 288 = 2591 = the last row).
    expect(summary).toEqual([
      ['2014-04-07 23:55:00', 2015, 12, 12, 12],
      ['2014-04-08 23:55:00', 2303, 12, 12, 12],
      ['2014-04-07 23:55:00', 2015, 288, 288, 288],
      ['2014-04-08 23:55:00', 2303, 288, 288, 288],
    ]);
  });

  it('never sees past its origin: rows after an origin change later origins only', async () => {
    const ripple = (index: number) => 50 + 20 * Math.sin((2 * Math.PI * index) / 288) + ((index * 7919) % 13) / 13;
    const original = join(directory, 'original.csv');
    const changed = join(directory, 'changed.csv');
    writeFileSync(original, seriesText(8 * 288 + 12, ripple));
    writeFileSync(changed, seriesText(8 * 288 + 12, (index) => (index > 7 * 288 - 1 ? 1000 : ripple(index))));
    type Body = { origins: Array<{ origin_index: number; horizon: number; yhat: number[] }> };
    const hourAhead = async (file: string) => ((JSON.parse((await run(['forecast', '--input', file, '--backtest'])).stdout) as Body).origins).filter((origin) => origin.horizon === 12);
    const [fromOriginal, fromChanged] = [await hourAhead(original), await hourAhead(changed)];
    expect(fromOriginal.map((origin) => origin.origin_index)).toEqual([2015, 2303]);
    expect(fromChanged[0]!.yhat).toEqual(fromOriginal[0]!.yhat);
    expect(fromChanged[1]!.yhat).not.toEqual(fromOriginal[1]!.yhat);
  });

  it('answers bad input with one line naming the option', async () => {
    const input = join(directory, 'short.csv');
    writeFileSync(input, seriesText(10));
    expectUserError(await run(['forecast', '--input', input]), 'aiops: --horizon: required: steps (e.g. 288) or a duration (e.g. 1d), or use --backtest');
    expectUserError(await run(['forecast', '--input', input, '--horizon', 'soon']), 'aiops: --horizon: expected a whole number of steps from 1 to 100000 or a duration such as 6h or 1d of at least one step (300 s), got "soon"');
    expectUserError(await run(['forecast', '--input', input, '--horizon', '1h']), `aiops: --input: ${input} is too short to forecast 12 steps: it needs at least 24 rows with values, has 10`);
    expectUserError(await run(['forecast', '--input', join(directory, 'missing.csv'), '--horizon', '1h']), `aiops: --input: ${join(directory, 'missing.csv')} does not exist`);
  });
});
