import { describe, expect, it } from 'vitest';
import {
  SLACK_LIMITS,
  button,
  capBlocks,
  context,
  escapeMrkdwn,
  fallbackText,
  fieldsSection,
  fitLines,
  header,
  relativeTime,
  section,
  slackDate,
  truncate,
  utcText,
} from '../../../src/slack/blocks/limits.js';
import { checkBlocks } from './block-checks.js';
import { NOW } from './estate-fixtures.js';

describe('Slack limits', () => {
  it('uses Slack’s documented limits, 75 characters for button text (not the 150 the issue named)', () => {
    expect(SLACK_LIMITS).toMatchObject({
      messageBlocks: 50,
      homeViewBlocks: 100,
      sectionText: 3000,
      headerText: 150,
      buttonText: 75,
      contextElements: 10,
      sectionFields: 10,
      fieldText: 2000,
      fallbackText: 4000,
    });
  });
});

describe('escapeMrkdwn', () => {
  it('escapes the three control characters so mentions and links render literally', () => {
    expect(escapeMrkdwn('<!channel> & <@U123|boss> <https://evil.example|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123|boss&gt; &lt;https://evil.example|click&gt;',
    );
  });

  it('leaves formatting characters alone', () => {
    expect(escapeMrkdwn('*bold* `code` _it_')).toBe('*bold* `code` _it_');
  });
});

describe('truncate', () => {
  it('keeps short text and ends long text with an ellipsis within the maximum', () => {
    expect(truncate('payment', 10)).toBe('payment');
    const cut = truncate('x'.repeat(200), 150);
    expect(cut).toHaveLength(150);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts inside an escape or a date token', () => {
    const escaped = escapeMrkdwn(`${'a'.repeat(8)}<b`);
    const cut = truncate(`${escaped}${'c'.repeat(20)}`, 11);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
    const dated = `seen ${slackDate(NOW)} ok`;
    const cutDate = truncate(dated, 20);
    expect(cutDate).toBe('seen…');
  });

  it('never splits an emoji', () => {
    const cut = truncate(`ab🔴${'x'.repeat(10)}`, 4);
    expect(cut).toBe('ab…');
  });
});

describe('fitLines and fallbackText', () => {
  it('drops whole lines and counts them', () => {
    const lines = Array.from({ length: 100 }, (_, index) => `line ${index} ${'x'.repeat(50)}`);
    const fitted = fitLines(lines, 500);
    expect(fitted.length).toBeLessThanOrEqual(500);
    const kept = fitted.split('\n').slice(0, -1);
    expect(kept.every((line, index) => line === lines[index])).toBe(true);
    expect(fitted.split('\n').at(-1)).toBe(`… and ${100 - kept.length} more`);
  });

  it('truncates a single overlong line instead of returning nothing', () => {
    expect(fitLines(['y'.repeat(5000)], 3000)).toHaveLength(3000);
  });

  it('keeps the fallback within 4,000 characters and never empty', () => {
    const text = fallbackText(Array.from({ length: 1000 }, (_, index) => `incident ${index}`));
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/… and \d+ more$/);
    expect(fallbackText([])).not.toBe('');
  });
});

describe('capBlocks', () => {
  it('replaces overflow with one context block that says how many were left out', () => {
    const blocks = Array.from({ length: 120 }, (_, index) => section(`item ${index}`));
    const capped = capBlocks(blocks, 50, 'incidents');
    expect(capped).toHaveLength(50);
    expect(capped.at(-1)).toEqual(context(['… 71 more incidents not shown']));
    expect(capBlocks(blocks.slice(0, 50), 50)).toHaveLength(50);
  });
});

describe('block constructors', () => {
  it('cap header, button, section, field and context sizes', () => {
    const long = 'z'.repeat(10_000);
    const blocks = [
      header(long),
      section(long, button({ actionId: 'test', text: long, value: long, accessibilityLabel: long })),
      fieldsSection(Array.from({ length: 14 }, () => long)),
      context(Array.from({ length: 14 }, () => long)),
      section(''),
    ];
    checkBlocks(blocks, 50);
  });
});

describe('times', () => {
  it('formats a Slack date token with a UTC fallback', () => {
    expect(slackDate(NOW)).toBe(`<!date^${NOW / 1000}^{date_short_pretty} {time}|2025-05-06 14:30 UTC>`);
    expect(utcText(NOW)).toBe('2025-05-06 14:30 UTC');
  });

  it('says how long ago, from the now it is given', () => {
    expect(relativeTime(NOW - 20_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 12 * 60_000, NOW)).toBe('12 min ago');
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe('3 h ago');
    expect(relativeTime(NOW - 2 * 86_400_000, NOW)).toBe('2 d ago');
    expect(relativeTime(NOW + 3 * 3_600_000, NOW)).toBe('in 3 h');
  });
});
