import type { SecretRule } from './secret-patterns.js';

/** Where a screen starts in the rule list, and the test it applies there. */
export interface SecretScreen {
  /** Index of the first rule the screen stands for; it covers every rule from there to the end. */
  from: number;
  /** False only when no rule from `from` on matches the text anywhere. */
  mayMatch(text: string): boolean;
}

/** A backreference or a named group would mean something else, or not compile, inside a larger alternation. */
const CANNOT_JOIN = /\\[1-9]|\\k<|\(\?<[A-Za-z_$]/;

/**
 * One alternation per set of flags, of every rule after the last one that cannot be joined. An
 * alternation matches exactly when one of its alternatives does, so a text no screen matches would
 * leave each of those rules' replacements unchanged, in any order: the caller may skip them all.
 * Nearly every log line holds no secret, and two scans are cheaper than one call per rule.
 */
export function secretScreen(rules: readonly SecretRule[]): SecretScreen {
  let from = 0;
  rules.forEach((rule, index) => {
    if (CANNOT_JOIN.test(rule.pattern.source)) from = index + 1;
  });
  const sourcesByFlags = new Map<string, string[]>();
  for (const rule of rules.slice(from)) {
    // Global and sticky only say where to search from; `test` on a fresh pattern searches it all.
    const flags = rule.pattern.flags.replace(/[gyd]/g, '');
    sourcesByFlags.set(flags, [...(sourcesByFlags.get(flags) ?? []), `(?:${rule.pattern.source})`]);
  }
  const screens = [...sourcesByFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
  return { from, mayMatch: (text) => screens.some((screen) => screen.test(text)) };
}
