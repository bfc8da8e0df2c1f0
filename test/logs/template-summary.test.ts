import { describe, expect, it } from 'vitest';
import type { TemplateCounts, TemplateDetails } from '../../src/logs/template-counts.js';
import { summariseTemplates, templateSummaryText } from '../../src/logs/template-summary.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 5, 10, 0, 0);
const WINDOW_START = START + 60 * MINUTE;

const DETAILS = new Map<string, TemplateDetails>([
  ['a', { template: 'GET /product/<*> 200 <*>ms', level: 'info', example: 'GET /product/SKU-1 200 12ms', firstSeen: START }],
  ['b', { template: 'Timeout after <*>ms calling payment', level: 'error', example: 'Timeout after 3000ms calling payment', firstSeen: START }],
  ['c', { template: 'Circuit breaker for payment is OPEN after <*> failures', level: 'error', example: 'Circuit breaker for payment is OPEN after 5 failures', firstSeen: WINDOW_START + 3 * MINUTE }],
  ['d', { template: 'Session <*> started', level: 'info', example: 'Session 1 started', firstSeen: START }],
]);

function buckets(from: number, count: number, counts: Record<string, number>): TemplateCounts[] {
  return Array.from({ length: count }, (_, index) => ({ bucketStart: from + index * MINUTE, counts }));
}

describe('summariseTemplates', () => {
  const summary = summariseTemplates({
    service: 'frontend',
    start: WINDOW_START,
    end: WINDOW_START + 15 * MINUTE,
    baselineStart: START,
    window: buckets(WINDOW_START, 15, { a: 100, b: 20, c: 4 }),
    baseline: buckets(START, 60, { a: 100, b: 1, d: 5 }),
    details: DETAILS,
    limit: 2,
  });

  it('lists the top templates by count with the change against the usual rate and an example', () => {
    expect(summary.totalLines).toBe(15 * 124);
    expect(summary.rows).toEqual([
      { templateId: 'a', template: 'GET /product/<*> 200 <*>ms', level: 'info', count: 1500, baselineCount: 1500, change: 1, example: 'GET /product/SKU-1 200 12ms' },
      { templateId: 'b', template: 'Timeout after <*>ms calling payment', level: 'error', count: 300, baselineCount: 15, change: 20, example: 'Timeout after 3000ms calling payment' },
    ]);
    expect(summary.omitted).toBe(1);
  });

  it('marks templates first seen in the window as new', () => {
    const all = summariseTemplates({
      service: 'frontend',
      start: WINDOW_START,
      end: WINDOW_START + 15 * MINUTE,
    baselineStart: START,
      window: buckets(WINDOW_START, 15, { a: 100, c: 4 }),
      baseline: buckets(START, 60, { a: 100 }),
      details: DETAILS,
    });
    expect(all.rows.find((row) => row.templateId === 'c')).toMatchObject({ count: 60, baselineCount: 0, change: 'new' });
  });

  it('reads as text for an attachment or a model', () => {
    const text = templateSummaryText(summary);
    expect(text).toContain('Top log templates for frontend in the last 15 minutes (1860 lines):');
    expect(text).toContain('- 300 × [error] Timeout after <*>ms calling payment (x20.0 vs usual)');
    expect(text).toContain('  e.g. Timeout after 3000ms calling payment');
    expect(text).toContain('… and 1 more templates');
  });
});
