import { isSecretKey, redactRandomTokensNearSecretWords, REDACTED, SECRET_RULES } from './secret-patterns.js';
import { secretScreen } from './secret-screen.js';

/**
 * The one redaction module: every way out of the bot (the model's requests, the log, Slack, mined
 * log templates) calls it, so a secret recognised anywhere is recognised everywhere. Pure functions;
 * the shapes themselves are in secret-patterns.ts. Redact before cutting: a cut first leaves half a
 * secret that no pattern recognises, which is why redactedExcerpt exists.
 */

export { REDACTED, isSecretKey };

/**
 * Texts redacted lately, by text. The same lines pass several exits (a block is cut to fit, then
 * its whole message goes out through the Slack fetch; a log line's fields repeat), and each pass
 * runs every pattern: remembering short texts makes the second pass a lookup.
 */
const recentlyRedacted = new Map<string, string>();
const REMEMBERED_TEXTS = 4096;
const LONGEST_REMEMBERED_TEXT = 2048;

/** The text with every secret we recognise replaced by [REDACTED], the structure around it kept. */
export function redactSecrets(text: string): string {
  if (text.length > LONGEST_REMEMBERED_TEXT) return redactUncached(text);
  const remembered = recentlyRedacted.get(text);
  if (remembered !== undefined) return remembered;
  const redacted = redactUncached(text);
  // Oldest first out: a Map iterates in insertion order.
  if (recentlyRedacted.size >= REMEMBERED_TEXTS) recentlyRedacted.delete(recentlyRedacted.keys().next().value!);
  recentlyRedacted.set(text, redacted);
  return redacted;
}

/** Lets a text that no rule can match skip the rules one by one: redaction was most of a log-mining job's time per line. */
const SCREEN = secretScreen(SECRET_RULES);

function redactUncached(text: string): string {
  let result = text;
  for (const [index, rule] of SECRET_RULES.entries()) {
    if (index === SCREEN.from && !SCREEN.mayMatch(result)) break;
    rule.pattern.lastIndex = 0;
    result = result.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      // The capture groups come first, then the offset (a number) and the whole input.
      const groups = rest.slice(0, rest.findIndex((value) => typeof value === 'number')).map((value) => (typeof value === 'string' ? value : ''));
      return rule.replace(match, ...groups);
    });
  }
  return redactRandomTokensNearSecretWords(result);
}

const ELLIPSIS = '…';

/** The text redacted, then shortened to at most `maximum` characters with an ellipsis: the order that leaves no fragment. */
export function redactedExcerpt(text: string, maximum: number): string {
  const redacted = redactSecrets(text);
  return redacted.length > maximum ? `${redacted.slice(0, Math.max(0, maximum - ELLIPSIS.length))}${ELLIPSIS}` : redacted;
}

/**
 * A copy of any value with every string redacted, at any depth: a field named like a secret
 * (`password`, `apiKey`, `session_id`) loses its value whatever it looks like, an Error becomes
 * its type, message, stack and own fields (a `cause` too), and a cycle becomes "[Circular]".
 * What the log, Slack payloads and the model's messages go through before they leave.
 */
export function redactSecretsDeep(value: unknown): unknown {
  return redactValue(value, new WeakSet<object>());
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
    if (value instanceof Error) return redactError(value, seen);
    if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redactField(key, item, seen);
    return copy;
  } finally {
    // A value shared by two branches is not a cycle: only ancestors count.
    seen.delete(value);
  }
}

function redactField(key: string, value: unknown, seen: WeakSet<object>): unknown {
  if (isSecretKey(key) && (typeof value === 'string' || typeof value === 'number') && value !== '') return REDACTED;
  return redactValue(value, seen);
}

function redactError(error: Error, seen: WeakSet<object>): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: redactSecrets(error.message) };
  if (error.stack) fields.stack = redactSecrets(error.stack);
  for (const [key, item] of Object.entries(error)) fields[key] = redactField(key, item, seen);
  if (error.cause !== undefined) fields.cause = redactValue(error.cause, seen);
  return fields;
}
