import { describe, expect, it } from 'vitest';
import { newTemplates } from '../../src/logs/log-anomalies.js';
import type { TemplateDetails } from '../../src/logs/template-counts.js';

/** The one line a new template's finding is shown with (incident context, logs, answers): counts read naturally. */

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 5, 10, 0, 0);
const DETAILS = new Map<string, TemplateDetails>([['t9', { template: 'FATAL: sorry, too many clients already', level: 'error', example: 'FATAL: sorry, too many clients already', firstSeen: START }]]);
const QUIET_HOUR = Array.from({ length: 60 }, (_, index) => ({ bucketStart: START + index * MINUTE, counts: { t1: 100 } }));

function summaryFor(count: number): string | undefined {
  const findings = newTemplates({ service: 'database', bucket: { bucketStart: START + 60 * MINUTE, counts: { t9: count } }, baseline: QUIET_HOUR, seen: new Set(['t1']), details: DETAILS });
  return findings[0]?.summary;
}

describe('a new template\'s summary', () => {
  it('says "1 line", not "1 lines"', () => {
    expect(summaryFor(1)).toBe('database: new error log template (1 line in a minute): FATAL: sorry, too many clients already');
  });

  it('says "lines" for more than one', () => {
    expect(summaryFor(12)).toBe('database: new error log template (12 lines in a minute): FATAL: sorry, too many clients already');
  });
});
