/**
 * Masks for the variable parts of log messages. A mask is a named regular expression; every match
 * becomes the wildcard `<*>` before a message reaches the template miner, so that
 * `Took 12ms for blk_-42` and `Took 7ms for blk_99` look alike from the start.
 *
 * Order matters: all masks run as one alternation, and at a given position the first mask in the
 * list that matches wins, so the specific shapes (URLs, UUIDs, IP:port) come before plain numbers.
 */
export interface Mask {
  /** Names the mask in options and documentation, e.g. `uuid`. */
  name: string;
  /** What to replace. Flags other than `i` are ignored: the masks run together, globally. */
  pattern: RegExp;
}

/** The token that stands for a variable part, as Loghub writes it. */
export const WILDCARD = '<*>';

/** The masks every miner applies unless told otherwise; extra masks run before these. */
export const DEFAULT_MASKS: readonly Mask[] = [
  { name: 'url', pattern: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>]+/ },
  { name: 'uuid', pattern: /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/ },
  { name: 'mac', pattern: /\b(?:[0-9A-Fa-f]{2}:){5,}[0-9A-Fa-f]{2}\b/ },
  { name: 'ip-with-port', pattern: /(?<![\w.])\/?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])/ },
  {
    name: 'date-time',
    pattern: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2}(?: +\d{2}:\d{2}:\d{2})?(?: +\d{4})?\b/,
  },
  { name: 'host-with-port', pattern: /\b(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}:\d{1,5}\b/ },
  { name: 'host-name', pattern: /\b(?=[\w.-]*\d)[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.(?:com|net|org|edu|gov|mil|int|info|biz|io|[a-z]{2})\b(?![.\w-])/ },
  { name: 'block-id', pattern: /\bblk_-?\d+\b/ },
  { name: 'path', pattern: /(?<![\w:/])(?:\/[\w.@+~%=?&,-]+){2,}\/?/ },
  { name: 'hex', pattern: /\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{16,}\b/ },
  { name: 'size', pattern: /(?<![\w.])\d+(?:\.\d+)? ?(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\b/ },
  { name: 'duration', pattern: /(?<![\w.])\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|m|min|h)(?![\w.])/ },
  { name: 'number', pattern: /(?<![A-Za-z0-9_.])[-+]?\d+(?:\.\d+)?(?![A-Za-z0-9_])(?!\.\d)/ },
];

/** Every mask in one global regular expression, extra masks first. */
export function compileMasks(masks: readonly Mask[]): RegExp | undefined {
  if (masks.length === 0) return undefined;
  const caseInsensitive = masks.every((mask) => mask.pattern.flags.includes('i'));
  const alternatives = masks.map((mask) => `(?:${caseInsensitive || !mask.pattern.flags.includes('i') ? mask.pattern.source : caseFolded(mask.pattern.source)})`);
  return new RegExp(alternatives.join('|'), caseInsensitive ? 'gi' : 'g');
}

/**
 * JavaScript cannot switch `i` on for one alternative, so a case-insensitive mask among
 * case-sensitive ones has its letters spelled as classes: `ms` becomes `[mM][sS]`. Letters inside
 * classes and escapes are left alone, which covers the masks this module ships.
 */
function caseFolded(source: string): string {
  let folded = '';
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const character = source[index] as string;
    if (character === '\\') {
      folded += character + (source[index + 1] ?? '');
      index += 1;
    } else if (character === '[') {
      inClass = true;
      folded += character;
    } else if (character === ']') {
      inClass = false;
      folded += character;
    } else if (!inClass && /[a-zA-Z]/.test(character)) {
      folded += `[${character.toLowerCase()}${character.toUpperCase()}]`;
    } else folded += character;
  }
  return folded;
}

/** Replaces every variable part of a message with `<*>`. */
export function maskMessage(message: string, compiled: RegExp | undefined): string {
  return compiled === undefined ? message : message.replace(compiled, WILDCARD);
}

/**
 * Masks a message and splits it on white space, as `maskMessage(message, compileMasks(masks))
 * .split(/\s+/)` would, then folds a token made only of variables (`<*>,<*>`, `<*>:<*>`) into one.
 *
 * Why not simply that: one regular expression of a dozen alternatives tried at every character is
 * most of a miner's time. Most masks cannot match white space (see `crossesWhiteSpace`), so they
 * give the same result token by token, and tokens repeat, so each distinct token is masked once and
 * remembered. Only where a mask that can cross white space (a date with a space, `5.3 KB`) matches
 * does the line go through the whole expression, from that token on, until a match ends at white
 * space; the result is the same as masking the whole line.
 */
export class MaskingTokenizer {
  /** Every mask, as `compileMasks` joins them: the reference behaviour. */
  private readonly all: RegExp | undefined;
  /** The masks that can cross white space: where none matches, tokens are masked one by one. */
  private readonly crossing: RegExp | undefined;
  /** The masks that stay inside a token, for masking one token. */
  private readonly local: RegExp | undefined;
  /**
   * Raw token to masked token, a direct-mapped table indexed by a hash of the token's characters
   * taken while scanning, so a token seen before is neither sliced nor hashed again. A newcomer
   * replaces whatever held its slot, so unique tokens cannot grow it.
   */
  private readonly rawTokens: Array<string | undefined> = new Array<string | undefined>(TOKEN_CACHE_SLOTS).fill(undefined);
  private readonly maskedTokens: string[] = new Array<string>(TOKEN_CACHE_SLOTS).fill('');
  /** Only default masks stay inside tokens, the number mask among them: a token of digits alone becomes `<*>`. */
  private readonly plainNumbersMasked: boolean;
  /** Only the default date-time and size masks cross white space: `nextCrossingMatch` may skip ahead by hand. */
  private readonly onlyDefaultDateAndSize: boolean;
  /** Only default masks stay inside tokens, so a token without a MAY_BE_MASKED character is kept as is. */
  private readonly onlyDefaultLocalMasks: boolean;
  /** Only default masks cross white space, and each needs a digit, so a line without one skips them. */
  private readonly onlyDefaultCrossingMasks: boolean;

  constructor(masks: readonly Mask[]) {
    const crossing = masks.filter((mask) => crossesWhiteSpace(mask.pattern));
    const local = masks.filter((mask) => !crossesWhiteSpace(mask.pattern));
    this.all = compileMasks(masks);
    this.crossing = compileMasks(crossing);
    this.local = compileMasks(local);
    this.onlyDefaultLocalMasks = local.every(isDefault);
    this.onlyDefaultCrossingMasks = crossing.every(isDefault);
    this.plainNumbersMasked = this.onlyDefaultLocalMasks && local.some((mask) => mask.pattern === NUMBER_PATTERN);
    this.onlyDefaultDateAndSize = crossing.every((mask) => mask.pattern === DATE_TIME_PATTERN || mask.pattern === SIZE_PATTERN);
  }

  /** The message's masked tokens, at most `maximumTokens` of them. */
  tokenize(message: string, maximumTokens: number): string[] {
    const tokens: string[] = [];
    let cursor = 0;
    while (cursor < message.length && tokens.length < maximumTokens) {
      const crossing = this.nextCrossingMatch(message, cursor);
      const wholeLineFrom = crossing < 0 ? message.length : tokenStart(message, crossing, cursor);
      this.pushLocalTokens(message, cursor, wholeLineFrom, tokens, maximumTokens);
      if (wholeLineFrom >= message.length) break;
      cursor = this.pushWholeLineTokens(message, wholeLineFrom, tokens);
    }
    if (tokens.length > maximumTokens) tokens.length = maximumTokens;
    return tokens;
  }

  /** Where the first crossing mask matches at or after `from`, or -1. */
  private nextCrossingMatch(message: string, from: number): number {
    if (this.crossing === undefined) return -1;
    let start = from;
    if (this.onlyDefaultDateAndSize) {
      start = firstDateOrSizeCandidate(message, from);
      if (start < 0) return -1;
    } else if (this.onlyDefaultCrossingMasks && !hasDigitFrom(message, from)) return -1;
    this.crossing.lastIndex = start;
    const match = this.crossing.exec(message);
    return match === null ? -1 : match.index;
  }

  /** Tokens in [from, to), where no crossing mask matches, each masked alone. */
  private pushLocalTokens(message: string, from: number, to: number, tokens: string[], maximumTokens: number): void {
    let start = -1;
    let hash = 0;
    let mayBeMasked = !this.onlyDefaultLocalMasks;
    for (let index = from; index <= to && tokens.length < maximumTokens; index += 1) {
      const code = index < to ? message.charCodeAt(index) : 32;
      if (code > 32 ? code < 160 || !isWhiteSpace(code) : !isWhiteSpace(code)) {
        if (start < 0) start = index;
        hash = (Math.imul(hash, 31) + code) | 0;
        mayBeMasked ||= code < 128 && MAY_BE_MASKED[code] === 1;
      } else if (start >= 0) {
        tokens.push(mayBeMasked ? this.maskedToken(message, start, index, hash) : message.slice(start, index));
        start = -1;
        hash = 0;
        mayBeMasked = !this.onlyDefaultLocalMasks;
      }
    }
  }

  /** The masked token for message[start, end), whose characters hash to `hash`. */
  private maskedToken(message: string, start: number, end: number, hash: number): string {
    const slot = (hash ^ (hash >>> 15)) & (TOKEN_CACHE_SLOTS - 1);
    const raw = this.rawTokens[slot];
    if (raw !== undefined && raw.length === end - start && message.startsWith(raw, start)) return this.maskedTokens[slot] as string;
    const token = message.slice(start, end);
    const masked = this.plainNumbersMasked && isPlainNumber(token) ? WILDCARD : onlyVariablesFolded(this.local === undefined ? token : token.replace(this.local, WILDCARD));
    this.rawTokens[slot] = token;
    this.maskedTokens[slot] = masked;
    return masked;
  }

  /**
   * Masks with every mask from `from` (a token's start) as `String.replace` would, until a match ends
   * at white space or the message ends, and pushes the tokens; returns where it stopped. The scan
   * runs on the whole message, so lookbehinds see what precedes `from`.
   */
  private pushWholeLineTokens(message: string, from: number, tokens: string[]): number {
    const all = this.all as RegExp;
    let masked = '';
    let copied = from;
    all.lastIndex = from;
    for (let match = all.exec(message); match !== null; match = all.exec(message)) {
      masked += message.slice(copied, match.index) + WILDCARD;
      copied = match.index + match[0].length;
      if (match[0].length === 0) all.lastIndex += 1;
      else if (copied >= message.length || isWhiteSpace(message.charCodeAt(copied))) break;
    }
    const stop = all.lastIndex === 0 || copied >= message.length ? message.length : copied;
    masked += message.slice(copied, stop);
    for (const token of splitOnWhiteSpace(masked)) tokens.push(onlyVariablesFolded(token));
    return stop;
  }
}

const DEFAULT_PATTERNS: ReadonlySet<RegExp> = new Set(DEFAULT_MASKS.map((mask) => mask.pattern));

function isDefault(mask: Mask): boolean {
  return DEFAULT_PATTERNS.has(mask.pattern);
}

/**
 * Every match of a default mask holds a digit, `:` or `/`, except a UUID's, which holds `-`; `<`
 * starts a `<*>` already in the message, which may fold. Indexed by character code, 1 for these.
 */
const MAY_BE_MASKED = new Uint8Array(128);
for (const character of '0123456789:/-<') MAY_BE_MASKED[character.charCodeAt(0)] = 1;

function hasDigitFrom(message: string, from: number): boolean {
  for (let index = from; index < message.length; index += 1) {
    const code = message.charCodeAt(index);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}

/** Slots of a MaskingTokenizer's token cache, a power of two; a few MiB at most. */
const TOKEN_CACHE_SLOTS = 1 << 15;

/**
 * Whether a token is digits only, which the default local masks turn into one `<*>` (the number
 * mask takes all of it; every mask before it needs a letter, `.`, `:`, `-` or `/`).
 */
function isPlainNumber(token: string): boolean {
  for (let index = 0; index < token.length; index += 1) {
    const code = token.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return token.length > 0;
}

const DATE_TIME_PATTERN = (DEFAULT_MASKS.find((mask) => mask.name === 'date-time') as Mask).pattern;
const NUMBER_PATTERN = (DEFAULT_MASKS.find((mask) => mask.name === 'number') as Mask).pattern;
const SIZE_PATTERN = (DEFAULT_MASKS.find((mask) => mask.name === 'size') as Mask).pattern;
/** Indexed by character code: 1 for the first letter of a month's name (`Jan` … `Dec`). */
const MONTH_INITIAL = new Uint8Array(128);
for (const character of 'JFMASOND') MONTH_INITIAL[character.charCodeAt(0)] = 1;
const MONTHS: ReadonlySet<string> = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
/** Indexed by character code: 1 for the first letter of a size unit (`B`, `KB`, … `TiB`). */
const UNIT_INITIAL = new Uint8Array(128);
for (const character of 'BKMGT') UNIT_INITIAL[character.charCodeAt(0)] = 1;

function isDigitAt(message: string, index: number): boolean {
  const code = message.charCodeAt(index);
  return code >= 48 && code <= 57;
}

/**
 * No match of the default date-time and size masks starts in [from, the returned index); -1 when
 * none can start at all. Every such match starts either at the first digit of a run of digits that
 * is four long and followed by `-` (`2015-10-18 …`) or that is followed, after an optional `.` and
 * digits and an optional space, by a unit's first letter (`5.3 KB`); or at a month's name followed
 * by a space, or up to three letters and spaces before it (a day's name: `Mon  Jan 5`).
 */
function firstDateOrSizeCandidate(message: string, from: number): number {
  const length = message.length;
  for (let index = from; index < length; index += 1) {
    const code = message.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      let end = index + 1;
      while (end < length && isDigitAt(message, end)) end += 1;
      if (end - index === 4 && message.charCodeAt(end) === 45) return index;
      let after = end;
      if (message.charCodeAt(after) === 46 && after + 1 < length && isDigitAt(message, after + 1)) {
        after += 2;
        while (after < length && isDigitAt(message, after)) after += 1;
        if (isUnitAt(message, after)) return index;
      }
      if (isUnitAt(message, end)) return index;
      index = end - 1;
    } else if (code < 128 && MONTH_INITIAL[code] === 1 && message.charCodeAt(index + 3) === 32 && MONTHS.has(message.slice(index, index + 3))) {
      let before = index;
      while (before > from && message.charCodeAt(before - 1) === 32) before -= 1;
      return before < index ? Math.max(from, before - 3) : index;
    }
  }
  return -1;
}

/** Whether a unit's first letter stands at `index`, or after one space there. */
function isUnitAt(message: string, index: number): boolean {
  let code = message.charCodeAt(index);
  if (code === 32) code = message.charCodeAt(index + 1);
  return code < 128 && UNIT_INITIAL[code] === 1;
}
const ONLY_VARIABLES = /^(?:<\*>[,:;/_-]?)+$/;

/** `<*>,<*>` or `<*>:<*>` is one variable however many parts it has. */
function onlyVariablesFolded(token: string): string {
  return token !== WILDCARD && token.includes(WILDCARD) && ONLY_VARIABLES.test(token) ? WILDCARD : token;
}

/** The start of the token holding `index`, not before `floor`. */
function tokenStart(message: string, index: number, floor: number): number {
  let start = index;
  while (start > floor && !isWhiteSpace(message.charCodeAt(start - 1))) start -= 1;
  return start;
}

function splitOnWhiteSpace(text: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index += 1) {
    if (index < text.length && !isWhiteSpace(text.charCodeAt(index))) {
      if (start < 0) start = index;
    } else if (start >= 0) {
      parts.push(text.slice(start, index));
      start = -1;
    }
  }
  return parts;
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
