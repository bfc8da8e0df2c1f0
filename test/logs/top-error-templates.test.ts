import { describe, expect, it } from 'vitest';
import { topErrorTemplates } from '../../src/logs/top-error-templates.js';
import type { LogEntry } from '../../src/logs/log-entry.js';

const START = Date.UTC(2026, 10, 24, 14, 40);
const MINUTE = 60_000;

function lines(count: number, from: number, to: number, message: (index: number) => string, level: LogEntry['level'] = 'error'): LogEntry[] {
  return Array.from({ length: count }, (_, index) => ({ timestamp: from + Math.floor(((to - from) * index) / count), service: 'payment', level, message: message(index) }));
}

describe('topErrorTemplates: the log evidence of an answer', () => {
  it('counts the error templates that are new or risen since the start, most first, and leaves out the everyday ones', () => {
    const entries = [
      ...lines(60, START - 60 * MINUTE, START, (index) => `Charge ${index.toString(16)}aa declined by issuer: insufficient funds`),
      ...lines(20, START, START + 20 * MINUTE, (index) => `Charge ${index.toString(16)}bb declined by issuer: insufficient funds`),
      ...lines(236, START, START + 20 * MINUTE, (index) => `java.lang.NullPointerException: token is null at com.shop.ChargeService.charge(ChargeService.java:${40 + (index % 300)})`),
      ...lines(90, START, START + 20 * MINUTE, (index) => `Charge ${(index + 4096).toString(16)} failed: internal error (500)`),
      ...lines(500, START, START + 20 * MINUTE, (index) => `Charge ${index} authorised`, 'info'),
    ];
    const found = topErrorTemplates(entries, { windowStart: START, windowMilliseconds: 20 * MINUTE, baselineMilliseconds: 60 * MINUTE });
    expect(found.map(({ template, count, isNew }) => ({ template, count, isNew }))).toEqual([
      { template: 'java.lang.NullPointerException: token is null at com.shop.ChargeService.charge(<*>)', count: 236, isNew: true },
      { template: 'Charge <*> failed: internal error (<*>)', count: 90, isNew: true },
    ]);
  });
});
