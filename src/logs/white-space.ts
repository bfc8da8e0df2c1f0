/**
 * White space as the regular expression class `\s` sees it, read by character code: splitting a
 * line into tokens, and telling whether a mask's pattern can match across a token's edge.
 */

/** The start of the token holding `index`, not before `floor`, in a message given as its code units (`CodeUnits.load`). */
export function tokenStart(codes: Uint16Array, index: number, floor: number): number {
  let start = index;
  while (start > floor && !isWhiteSpace(codes[start - 1] as number)) start -= 1;
  return start;
}

/** Exactly the characters of the regular expression class `\s`, without running one. */
export function isWhiteSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return code === 160 || code === 5760 || (code >= 8192 && code <= 8202) || code === 8232 || code === 8233 || code === 8239 || code === 8287 || code === 12288 || code === 65279;
}

/**
 * Whether a pattern might match white space or see past it, read from its source and erring towards
 * yes: a space, `\s`, `\W`, `\D`, `.`, `^`, `$`, a negated class without `\s`, a class or range
 * holding white space, or an escape this reader does not know. A pattern without any of these masks
 * a token alone exactly as it masks it inside a line: a lookaround that cannot match white space
 * sees the same at a line's space as at a token's edge, and so do `\b` and `\B`.
 */
export function crossesWhiteSpace(pattern: RegExp): boolean {
  const source = pattern.source;
  for (let index = 0; index < source.length; index += 1) {
    const character = source[index] as string;
    if (character === '\\') {
      if (!SAFE_ESCAPE.test(source[index + 1] ?? '')) return true;
      index += 1;
    } else if (character === '[') {
      const end = classEnd(source, index);
      if (end < 0 || classMatchesWhiteSpace(source.slice(index + 1, end))) return true;
      index = end;
    } else if (character === '.' || character === '^' || character === '$' || isWhiteSpace(character.charCodeAt(0))) return true;
  }
  return false;
}

/** Escapes that match no white space: `\d`, `\w`, `\S`, boundaries, back references and escaped punctuation. */
const SAFE_ESCAPE = /^[dwSbB1-9!-/:-@[-`{-~]$/;

/** The index of the `]` closing the class opened at `open`, or -1. */
function classEnd(source: string, open: number): number {
  for (let index = open + 1; index < source.length; index += 1) {
    if (source[index] === '\\') index += 1;
    else if (source[index] === ']') return index;
  }
  return -1;
}

/** Whether a class body (between `[` and `]`) can match white space; `[^…\s…]` cannot. */
function classMatchesWhiteSpace(body: string): boolean {
  if (body.startsWith('^')) return !/(?:^|[^\\])(?:\\\\)*\\s/.test(body);
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index] as string;
    if (character === '\\') {
      if (!SAFE_ESCAPE.test(body[index + 1] ?? '') || body[index + 1] === 'b') return true;
      index += 1;
    } else if (body[index + 1] === '-' && index + 2 < body.length) {
      const last = body[index + 2] as string;
      if (last === '\\' || rangeHoldsWhiteSpace(character.charCodeAt(0), last.charCodeAt(0))) return true;
      index += 2;
    } else if (isWhiteSpace(character.charCodeAt(0))) return true;
  }
  return false;
}

function rangeHoldsWhiteSpace(first: number, last: number): boolean {
  for (let code = first; code <= last; code += 1) if (isWhiteSpace(code)) return true;
  return false;
}
