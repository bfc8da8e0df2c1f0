import { describe, expect, it } from 'vitest';
import { monotoneTimestamps, parseSeriesCsv, timeGoingBack } from '../../src/commands/series-csv.js';

describe('parseSeriesCsv', () => {
  it('reads NAB rows, ISO times and Unix seconds, keeping the text for output', () => {
    const rows = parseSeriesCsv('timestamp,value\r\n2014-04-01 00:00:00,1.5\n2014-04-01T00:05:00Z,2\n1396311000,\n', 'f.csv');
    expect(rows.map((row) => row.timestamp)).toEqual([Date.UTC(2014, 3, 1, 0, 0), Date.UTC(2014, 3, 1, 0, 5), 1396311000 * 1000]);
    expect(rows[0]).toMatchObject({ timestampText: '2014-04-01 00:00:00', valueText: '1.5', value: 1.5 });
    expect(rows[2]!.value).toBeNaN();
  });

  it.each([
    ['time,value\n2014-04-01 00:00:00,1\n', 'f.csv:1: expected the header "timestamp,value", got "time,value"'],
    ['timestamp,value\n2014-04-01 00:00:00,1\nyesterday,2\n', 'f.csv:3: expected a timestamp such as 2014-04-01 00:00:00, got "yesterday"'],
    ['timestamp,value\n2014-04-01 00:00:00,abc\n', 'f.csv:2: expected a number in column value, got "abc"'],
    ['timestamp,value\n2014-04-01 00:00:00\n', 'f.csv:2: expected two columns "timestamp,value", got "2014-04-01 00:00:00"'],
  ])('names the line and the problem: %j', (text, message) => {
    expect(() => parseSeriesCsv(text, 'f.csv')).toThrow(message);
  });

  it('keeps rows in file order where the clock goes back, says where, and feeds a detector a clock that holds still', () => {
    const rows = parseSeriesCsv('timestamp,value\n2014-11-02 01:30:00,1\n2014-11-02 01:55:00,2\n2014-11-02 01:00:00,3\n2014-11-02 02:05:00,4\n', 'f.csv');
    expect(rows.map((row) => row.value)).toEqual([1, 2, 3, 4]);
    expect(timeGoingBack(rows)).toBe(2);
    expect(monotoneTimestamps(rows)).toEqual([Date.UTC(2014, 10, 2, 1, 30), Date.UTC(2014, 10, 2, 1, 55), Date.UTC(2014, 10, 2, 1, 55), Date.UTC(2014, 10, 2, 2, 5)]);
    expect(timeGoingBack(rows.slice(0, 2))).toBeUndefined();
  });
});
