import { describe, expect, it } from 'vitest';
import type { TemplateSummary } from '../../../src/logs/template-summary.js';
import { logTemplatesMessage } from '../../../src/slack/blocks/log-templates-message.js';

const summary: TemplateSummary = {
  service: 'payment',
  start: Date.UTC(2026, 10, 25, 10, 0),
  end: Date.UTC(2026, 10, 25, 10, 15),
  totalLines: 1210,
  omitted: 3,
  rows: [
    { templateId: 't1', template: 'NullPointerException at <*>', level: 'error', count: 420, baselineCount: 0, change: 'new', example: 'NullPointerException at Charge.java:88' },
    { templateId: 't2', template: 'Charge <*> authorised amount=<*> EUR', level: 'info', count: 760, baselineCount: 380, change: 2, example: 'Charge ch_1 authorised amount=12.00 EUR' },
    { templateId: 't3', template: 'Refund <*> processed <a&b>', level: 'info', count: 30, baselineCount: 0, change: Number.POSITIVE_INFINITY, example: 'Refund r_9 processed <a&b>' },
  ],
};

describe('logTemplatesMessage', () => {
  it('shows each template with its count, its change against the hour before and an example, escaped', () => {
    const message = logTemplatesMessage(summary);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Log templates of payment, last 15 min');
    expect(text).toContain('*420* × `NullPointerException at &lt;*&gt;` · *error* · 🆕 new');
    expect(text).toContain('×2.0 the usual');
    expect(text).toContain('none the hour before');
    expect(text).toContain('Refund r_9 processed &lt;a&amp;b&gt;');
    expect(text).toContain('1210 lines in all · 3 more templates not shown');
    expect(message.text).toContain('420 × NullPointerException');
  });

  it('says so when nothing was mined in the window', () => {
    expect(logTemplatesMessage({ ...summary, rows: [], totalLines: 0, omitted: 0 }).text).toMatch(/no log lines mined in this window/);
  });
});
