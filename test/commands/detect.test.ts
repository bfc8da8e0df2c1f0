import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { learningRowsFor } from '../../src/commands/detect.js';
import { createDetector } from '../../src/detection/create-detector.js';
import { expectUserError, run } from '../support/cli-harness.js';

const directory = mkdtempSync(join(tmpdir(), 'aiops-detect-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Five-minute samples of a daily wave with a spike at row 1500. */
function seriesText(rows: number, spikeAt?: number): string {
  const lines = ['timestamp,value'];
  const start = Date.UTC(2014, 3, 1);
  for (let index = 0; index < rows; index += 1) {
    const time = new Date(start + index * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    const wave = 50 + 20 * Math.sin((2 * Math.PI * index) / 288) + ((index * 7919) % 13) / 13;
    lines.push(`${time},${index === spikeAt ? wave * 4 : wave.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('aiops detect', () => {
  it('writes every row back with an online anomaly_score in [0,1], highest at the spike', async () => {
    const input = join(directory, 'spike.csv');
    const output = join(directory, 'spike.scored.csv');
    writeFileSync(input, seriesText(2000, 1500));
    const result = await run(['detect', '--input', input, '--output', output]);
    expect(result.exitCode).toBe(0);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    expect(lines).toHaveLength(2001);
    const inputLines = readFileSync(input, 'utf8').trim().split('\n');
    const scores = lines.slice(1).map((line, index) => {
      const cells = line.split(',');
      expect(`${cells[0]},${cells[1]}`).toBe(inputLines[index + 1]);
      return Number(cells[2]);
    });
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(scores.indexOf(Math.max(...scores.slice(600)))).toBeGreaterThanOrEqual(1500);
    expect(scores.indexOf(Math.max(...scores.slice(600)))).toBeLessThanOrEqual(1502);
  });

  it('is online: the scores of a prefix do not change when rows are appended', async () => {
    // Both files are long enough for the same learning period (750 rows, NAB's cap).
    const short = join(directory, 'short.csv');
    const long = join(directory, 'long.csv');
    const full = seriesText(6000, 5500);
    writeFileSync(long, full);
    writeFileSync(short, `${full.trim().split('\n').slice(0, 5201).join('\n')}\n`);
    await run(['detect', '--input', short, '--output', join(directory, 'short.out.csv')]);
    await run(['detect', '--input', long, '--output', join(directory, 'long.out.csv')]);
    const shortScores = readFileSync(join(directory, 'short.out.csv'), 'utf8').trim().split('\n');
    const longScores = readFileSync(join(directory, 'long.out.csv'), 'utf8').trim().split('\n').slice(0, shortScores.length);
    expect(longScores).toEqual(shortScores);
  });

  it('walks a directory and mirrors its tree, one fresh detector per file', async () => {
    const input = join(directory, 'tree');
    mkdirSync(join(input, 'realA'), { recursive: true });
    mkdirSync(join(input, 'realB'), { recursive: true });
    writeFileSync(join(input, 'realA', 'one.csv'), seriesText(700));
    writeFileSync(join(input, 'realB', 'two.csv'), seriesText(700));
    writeFileSync(join(input, 'notes.txt'), 'not a series');
    const output = join(directory, 'tree-out');
    const result = await run(['detect', '--input', input, '--output', output]);
    expect(result.exitCode).toBe(0);
    const one = readFileSync(join(output, 'realA', 'one.csv'), 'utf8');
    const two = readFileSync(join(output, 'realB', 'two.csv'), 'utf8');
    // Same input, same fresh detector: the same scores, so no state leaked from file to file.
    expect(one).toBe(two);
    const detector = createDetector({ learningRows: learningRowsFor(700) });
    const expected = seriesText(700).trim().split('\n').slice(1).map((line) => {
      const [time, value] = line.split(',');
      return detector.update(Date.parse(`${time!.replace(' ', 'T')}Z`), Number(value));
    });
    expect(one.trim().split('\n').slice(1).map((line) => Number(line.split(',')[2]))).toEqual(expected);
  });

  it('writes every file of a directory when one has a clock going back, scoring its rows in file order and warning once', async () => {
    const input = join(directory, 'clock-change');
    mkdirSync(join(input, 'realC'), { recursive: true });
    const lines = seriesText(700).trim().split('\n');
    // An hour repeated, as a daylight-saving change writes it: after row 399 (line 401) the clock goes back 12 steps.
    const repeated = [...lines.slice(0, 401), ...lines.slice(389, 401), ...lines.slice(401)];
    writeFileSync(join(input, 'realC', 'dst.csv'), `${repeated.join('\n')}\n`);
    writeFileSync(join(input, 'realC', 'plain.csv'), seriesText(700));
    const output = join(directory, 'clock-change-out');
    const result = await run(['detect', '--input', input, '--output', output]);
    expect(result.exitCode).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^warning: ${join(input, 'realC', 'dst.csv')}:402: timestamp .* is earlier than the row before \\(.*\\); every row is scored in file order`))]);
    const scored = readFileSync(join(output, 'realC', 'dst.csv'), 'utf8').trim().split('\n');
    expect(scored).toHaveLength(repeated.length);
    expect(scored.slice(1).every((line, index) => line.startsWith(`${repeated[index + 1]},`))).toBe(true);
    expect(scored.slice(1).map((line) => Number(line.split(',')[2])).every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(readFileSync(join(output, 'realC', 'plain.csv'), 'utf8').trim().split('\n')).toHaveLength(701);
  });

  it('refuses a malformed CSV with the file, the line and the problem, and writes nothing', async () => {
    const input = join(directory, 'bad.csv');
    writeFileSync(input, 'timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,twelve\n');
    const output = join(directory, 'bad.out.csv');
    expectUserError(await run(['detect', '--input', input, '--output', output]), `aiops: ${input}:3: expected a number in column value, got "twelve"`);
    expect(() => readFileSync(output)).toThrow();
  });

  it('names missing arguments and inputs', async () => {
    expectUserError(await run(['detect', '--output', 'x']), 'aiops: --input: required: a CSV file or a directory of them');
    expectUserError(await run(['detect', '--input', 'x.csv']), 'aiops: --output: required: where the scored rows go');
    expectUserError(await run(['detect', '--input', join(directory, 'nope.csv'), '--output', 'x']), `aiops: --input: ${join(directory, 'nope.csv')} does not exist`);
    // A file typed without its option: the line says where it goes.
    expectUserError(await run(['detect', 'data.csv', '--output', 'x']), 'aiops: detect: unexpected argument "data.csv"; give a path after --input, e.g. --input data.csv');
  });
});
