import { describe, expect, it } from 'vitest';
import { defangLinks } from '../src/defang-links.js';

describe('defangLinks', () => {
  const cases: Array<[string, string, string]> = [
    ['a URL', 'visit http://evil.example/login now', 'visit hxxp[:]//evil[.]example/login now'],
    ['a TLS URL', 'see https://login.evil.co/reset?x=1', 'see hxxps[:]//login[.]evil[.]co/reset?x=1'],
    ["Slack's link syntax", '<https://evil.example|click>', '<hxxps[:]//evil[.]example|click>'],
    ['a bare www host', 'go to www.evil.example/fix', 'go to www[.]evil[.]example/fix'],
    ['a bare domain in capitals', 'EVIL.EXAMPLE.COM', 'EVIL[.]EXAMPLE[.]COM'],
    ['a mail link', 'mailto:help@evil.example', 'mxxlto[:]help@evil[.]example'],
    ['a script link', 'javascript:alert(1)', 'jxxascript[:]alert(1)'],
  ];
  it.each(cases)('makes %s inert', (_kind, text, expected) => {
    expect(defangLinks(text)).toBe(expected);
  });

  it('leaves text without links as it was: versions, times, numbers, labels', () => {
    for (const text of ['Root cause: payment — 2.4.0 → 2.5.0 at 14:02, p95 1.2 s', 'status:ok', 'latency_p95 of order-service', 'e.g. 3 pods', 'java.lang.NullPointerException: Cannot invoke "CardToken.value()"']) expect(defangLinks(text)).toBe(text);
  });
});
