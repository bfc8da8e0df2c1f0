/**
 * When a message belongs to a template, for the template miner (`template-miner.ts`): Drain's
 * similarity (the share of positions that agree) with this project's rule that a differing plain
 * word marks another event, and how a template generalises to take a message in.
 */
import { WILDCARD } from './masks.js';

/** The most similar template at or above the threshold; ties go to the more general one (Drain). */
export function closestTemplate<T extends { tokens: readonly string[] }>(candidates: readonly T[], tokens: readonly string[], threshold: number): T | undefined {
  let best: T | undefined;
  let bestSimilarity = -1;
  let bestWildcards = -1;
  for (const candidate of candidates) {
    const similarity = similarityOf(candidate.tokens, tokens);
    const wildcards = lastWildcards;
    if (similarity > bestSimilarity || (similarity === bestSimilarity && wildcards > bestWildcards)) {
      best = candidate;
      bestSimilarity = similarity;
      bestWildcards = wildcards;
    }
  }
  return bestSimilarity >= threshold ? best : undefined;
}

/** The template's `<*>` count from the last `similarityOf`, for Drain's tie-break; kept here so no object is made per candidate. */
let lastWildcards = 0;

/**
 * Share of positions where the template's token equals the message's (a `<*>` in both counts: both
 * are variables), or -1 when a position shows another event; sets `lastWildcards` to how many `<*>`
 * the template has (up to where it stopped), for Drain's tie-break.
 */
function similarityOf(template: readonly string[], tokens: readonly string[]): number {
  lastWildcards = 0;
  if (template.length === 0) return 1;
  let same = 0;
  let wildcards = 0;
  for (let index = 0; index < template.length; index += 1) {
    const token = template[index] as string;
    const other = tokens[index] as string;
    if (token === WILDCARD) {
      wildcards += 1;
      if (other === WILDCARD) same += 1;
    } else if (token === other) same += 1;
    else if (differentEvents(token, other) && !(index > 0 && VARIABLE_NAMES.has(template[index - 1] as string))) {
      lastWildcards = wildcards;
      return -1;
    }
  }
  lastWildcards = wildcards;
  return same / template.length;
}

/**
 * Positions where the message differs become `<*>`; the template only ever gets more general.
 * Returns whether any token changed.
 */
export function generalise(template: string[], tokens: readonly string[]): boolean {
  let changed = false;
  for (let index = 0; index < template.length; index += 1) {
    const token = template[index] as string;
    const other = tokens[index] as string;
    if (token === other || token === WILDCARD) continue;
    const equals = token.indexOf('=');
    const general = equals > 0 && other.startsWith(token.slice(0, equals + 1)) ? `${token.slice(0, equals + 1)}${WILDCARD}` : WILDCARD;
    if (general === token) continue;
    template[index] = general;
    changed = true;
  }
  return changed;
}

/** Words after which a plain word is a value, not part of the template: `session closed for user root`. */
const VARIABLE_NAMES = new Set(['user']);

/**
 * Whether two differing tokens must belong to different templates. Variables carry digits or were
 * masked; a plain word that differs (`VM Started` / `VM Paused`, `HTTPS` / `SOCKS5`) marks another
 * event. In `key=value` tokens the keys must agree and a plain-word value is a constant.
 */
function differentEvents(template: string, token: string): boolean {
  if (token === WILDCARD) return false;
  const equals = template.indexOf('=');
  if (equals >= 0) return !sameKey(template, token, equals + 1) || lettersOnlyFrom(template, equals + 1);
  // A plain word (no digit, no variable) differs from anything but a token already holding a variable.
  const templateHoldsVariable = template.includes(WILDCARD);
  const tokenHoldsVariable = token.includes(WILDCARD);
  return (!templateHoldsVariable && !tokenHoldsVariable && !hasDigit(template)) || (!tokenHoldsVariable && !templateHoldsVariable && !hasDigit(token));
}

/** Whether `token` starts with the template's first `length` characters (its `key=`), compared in place. */
function sameKey(template: string, token: string, length: number): boolean {
  if (token.length < length) return false;
  for (let index = 0; index < length; index += 1) if (template.charCodeAt(index) !== token.charCodeAt(index)) return false;
  return true;
}

/** `/^[A-Za-z]+$/` on the token from `from` on, without slicing it. */
function lettersOnlyFrom(token: string, from: number): boolean {
  for (let index = from; index < token.length; index += 1) {
    const code = token.charCodeAt(index) | 32;
    if (code < 97 || code > 122) return false;
  }
  return token.length > from;
}

export function hasDigit(token: string): boolean {
  for (let index = 0; index < token.length; index += 1) {
    const code = token.charCodeAt(index);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}
