import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NabFile, parseNabTimestamp, readCsvColumns, resultPath, writeDetectorOutput } from '../../bench/nab/nab-corpus.js';

describe('NAB corpus files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'aiops-nab-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads data and label timestamps to the same instant', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(parseNabTimestamp('2014-04-10 07:15:00.000000'));
    expect(parseNabTimestamp('2011-07-11 04:00:01.000000') - parseNabTimestamp('2011-07-11 04:00:00')).toBe(1000);
    expect(() => parseNabTimestamp('10/04/2014')).toThrow(/not a NAB timestamp/);
  });

  it('writes outputs in the golden layout, readable back', () => {
    const file: NabFile = {
      name: 'realKnownCause/example.csv',
      timestampTexts: ['2014-01-01 00:00:00', '2014-01-01 00:05:00', '2014-01-01 00:10:00'],
      timestamps: [0, 300_000, 600_000],
      values: [1, 2.5, 3],
      windows: [{ firstRow: 1, lastRow: 1, id: 'realKnownCause/example.csv|300000' }],
      probationRows: 0,
    };
    const path = writeDetectorOutput(directory, 'aiops', file, [0, 0.75, 0.125]);
    expect(path).toBe(resultPath(directory, 'aiops', file.name));
    expect(path.endsWith(join('aiops', 'realKnownCause', 'aiops_example.csv'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('timestamp,value,anomaly_score,label\n2014-01-01 00:00:00,1,0,0\n2014-01-01 00:05:00,2.5,0.75,1\n2014-01-01 00:10:00,3,0.125,0\n');
    expect(readCsvColumns(path).get('anomaly_score')).toEqual(['0', '0.75', '0.125']);
  });
});
