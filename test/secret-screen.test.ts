import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/redact-secrets.js';
import { redactRandomTokensNearSecretWords, SECRET_RULES, type SecretRule } from '../src/secret-patterns.js';
import { secretScreen } from '../src/secret-screen.js';

const rule = (pattern: RegExp): SecretRule => ({ kind: pattern.source, pattern, replace: () => '[REDACTED]' });

describe('secretScreen', () => {
  it('says a text may match when any rule it stands for matches, keeping each rule\'s own case rule', () => {
    const screen = secretScreen([rule(/\bAKIA[0-9A-Z]{4}/g), rule(/password=\S+/gi)]);
    expect(screen.from).toBe(0);
    expect(screen.mayMatch('key AKIA12AB used')).toBe(true);
    expect(screen.mayMatch('login PASSWORD=hunter2')).toBe(true);
    expect(screen.mayMatch('GET /orders 200 in 12 ms')).toBe(false);
    // Case-sensitive where its rule is: joined with an `i` rule, it would have matched.
    expect(screen.mayMatch('key akia12ab used')).toBe(false);
  });

  it('starts after the last rule that cannot join an alternation (a backreference, a named group)', () => {
    expect(secretScreen([rule(/token/g), rule(/(["'])x\1/g), rule(/secret/g)]).from).toBe(2);
    expect(secretScreen([rule(/token/g), rule(/(?<key>k)=v/g)]).from).toBe(2);
    // A lookbehind is not a named group.
    expect(secretScreen([rule(/(?<![a-z])token/g)]).from).toBe(0);
  });
});

/** The rules one by one, as before the screen: the reference the product's redaction must equal. */
function redactRuleByRule(text: string): string {
  let result = text;
  for (const secretRule of SECRET_RULES) {
    secretRule.pattern.lastIndex = 0;
    result = result.replace(secretRule.pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, rest.findIndex((value) => typeof value === 'number')).map((value) => (typeof value === 'string' ? value : ''));
      return secretRule.replace(match, ...groups);
    });
  }
  return redactRandomTokensNearSecretWords(result);
}

const corpus = (JSON.parse(readFileSync(new URL('./fixtures/secrets/corpus.json', import.meta.url), 'utf8')) as { secrets: Array<{ text: string; secret: string }> }).secrets;
const ORDINARY_LINES = [
  'GET /api/orders/4711 200 12ms',
  'Charge 9f2c failed: internal error (code 502)',
  'Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
  'session opened for user root by (uid=0)',
  'com.shop.payment.ChargeService.charge(ChargeService.java:88)',
];

describe('redaction with the screen', () => {
  it('gives what the rules one by one give, for every secret of the corpus, alone, inside ordinary lines and in upper and lower case', () => {
    const texts = corpus.flatMap(({ text, secret }) => [text, secret, text.toUpperCase(), text.toLowerCase(), ...ORDINARY_LINES.map((line) => `${line} ${secret} ${line}`)]);
    for (const text of [...texts, ...ORDINARY_LINES]) expect(redactSecrets(text), text).toBe(redactRuleByRule(text));
  });
});
