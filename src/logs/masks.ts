/**
 * Masking a log line into the tokens the template miner routes on. The masks themselves (named
 * regular expressions, every match becoming `<*>`) are defined in `mask-patterns.ts`; white space
 * as `\s` sees it in `white-space.ts`. Both are re-exported here, the module callers import.
 */
import { CodeUnits, codeAt, includesOf, replaced, sliceOf } from './code-units.js';
import { DEFAULT_MASKS, type Mask, WILDCARD, compileMasks } from './mask-patterns.js';
import { crossesWhiteSpace, isWhiteSpace, tokenStart } from './white-space.js';

export { DEFAULT_MASKS, type Mask, WILDCARD, compileMasks, maskMessage } from './mask-patterns.js';
export { crossesWhiteSpace, isWhiteSpace } from './white-space.js';

/**
 * One line's masked tokens, in arrays reused from line to line, so that masking a line allocates
 * no arrays. Only the first `count` entries of each array belong to the current line.
 */
export class TokenizedLine {
  readonly tokens: string[] = [];
  /** Each token's `hashOf`, so a line cache can hash the line without reading its characters again. */
  readonly hashes: number[] = [];
  /** Where each token starts in the message, to take tokens back when a whole-line mask covers them. */
  readonly starts: number[] = [];
  /** Whether each token is a value (`isValue`), known when its token was masked, so folding reads no characters. */
  readonly values: boolean[] = [];
  count = 0;

  push(token: string, hash: number, start: number, value: boolean): void {
    this.tokens[this.count] = token;
    this.hashes[this.count] = hash;
    this.starts[this.count] = start;
    this.values[this.count] = value;
    this.count += 1;
  }

  /**
   * Folds every run of values into one `<*>`: a list of any length (`delete blk_1 blk_2 …`, IRQs
   * `3 4 5 …`, hosts `an14 an15 …`) stands in one place, so lines that differ only in how many
   * values they list keep one template. A value here is a `<*>`, or a name numbered like a host or a
   * device (`an14`, `sda1`) next to another value; such a name alone (`SOCKS5`) stays a word.
   */
  foldValueRuns(): void {
    let kept = 0;
    for (let index = 0; index < this.count; index += 1) {
      const token = this.tokens[index] as string;
      const value = this.values[index] as boolean;
      if (value && kept > 0 && this.tokens[kept - 1] === WILDCARD) continue;
      if (value && token !== WILDCARD && index + 1 < this.count && (this.values[index + 1] as boolean)) {
        this.tokens[kept] = WILDCARD;
        this.hashes[kept] = WILDCARD_HASH;
        this.values[kept] = true;
      } else {
        this.tokens[kept] = token;
        this.hashes[kept] = this.hashes[index] as number;
        this.values[kept] = value;
      }
      this.starts[kept] = this.starts[index] as number;
      kept += 1;
    }
    this.count = kept;
  }

  /** A hash of the tokens as a list: equal lists hash alike. */
  hash(): number {
    let hash = this.count;
    for (let index = 0; index < this.count; index += 1) hash = Math.imul(hash ^ (this.hashes[index] as number), 0x9e3779b1) ^ (hash >>> 15);
    return hash | 0;
  }

  /** The tokens as an array of their own, to keep. */
  copy(): string[] {
    return this.tokens.slice(0, this.count);
  }
}

/** The hash `TokenizedLine.hashes` holds for a token: the one the scan takes character by character. */
export function hashOf(token: string): number {
  let hash = 0;
  for (let index = 0; index < token.length; index += 1) hash = (Math.imul(hash, 31) + codeAt(token, index)) | 0;
  return hash;
}

const WILDCARD_HASH = hashOf(WILDCARD);

/** A `<*>`, or a name numbered like a host or a device, which `foldValueRuns` folds with its neighbours. */
function isValue(token: string): boolean {
  return token === WILDCARD || isNumberedName(token);
}

/** `/^[A-Za-z]+[0-9]+$/` without a regular expression: letters, then digits (`an14`, `eth0`). */
function isNumberedName(token: string): boolean {
  const last = codeAt(token, token.length - 1);
  if (!(last >= 48 && last <= 57)) return false;
  let index = 0;
  while (index < token.length && ((codeAt(token, index) | 32) >= 97 && (codeAt(token, index) | 32) <= 122)) index += 1;
  if (index === 0) return false;
  while (index < token.length && codeAt(token, index) >= 48 && codeAt(token, index) <= 57) index += 1;
  return index === token.length;
}

/**
 * Masks a message and splits it on white space, as `maskMessage(message, compileMasks(masks))
 * .split(/\s+/)` would, then folds a token made only of variables (`<*>,<*>`, `<*>:<*>`) into one,
 * and a run of values into one (`TokenizedLine.foldValueRuns`).
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
   * Raw token to masked token (itself when no mask can touch it) and the masked token's hash: a
   * direct-mapped table indexed by a hash of the raw characters taken while scanning, so a token
   * seen before is neither sliced nor masked nor hashed again, and the line allocates no string for
   * it. A newcomer replaces whatever held its slot, so unique tokens cannot grow it. The raw token
   * is at `2 × slot` and the masked one beside it, so a hit reads one place in memory, not two.
   */
  private readonly rawAndMasked: string[] = new Array<string>(2 * TOKEN_CACHE_SLOTS).fill('');
  private readonly maskedHashes = new Int32Array(TOKEN_CACHE_SLOTS);
  /** 1 where the masked token is a value (`isValue`). */
  private readonly maskedValues = new Uint8Array(TOKEN_CACHE_SLOTS);
  /** The message's code units, and those of a whole-line mask's output: the scans read these, not `charCodeAt` (see code-units.ts). */
  private readonly messageUnits = new CodeUnits();
  private readonly maskedUnits = new CodeUnits();
  /** Only default masks stay inside tokens, the number mask among them: a token of digits alone becomes `<*>`. */
  private readonly plainNumbersMasked: boolean;
  /**
   * Only the default date-time, size and duration-bound masks cross white space: the token scan
   * itself spots where one might start (`dateOrSizeCandidateAt`), so the line is read once, not once
   * for them and once for the tokens.
   */
  private readonly spotsDateAndSize: boolean;
  /** Only default masks stay inside tokens, so a token without a MAY_BE_MASKED character is kept as is. */
  private readonly onlyDefaultLocalMasks: boolean;
  /** Only default masks cross white space, and each needs a digit, so a line without one skips them. */
  private readonly onlyDefaultCrossingMasks: boolean;
  /** For `tokenize`, which returns an array of its own. */
  private readonly scratch = new TokenizedLine();

  constructor(masks: readonly Mask[]) {
    const crossing = masks.filter((mask) => crossesWhiteSpace(mask.pattern));
    const local = masks.filter((mask) => !crossesWhiteSpace(mask.pattern));
    this.all = compileMasks(masks);
    this.crossing = compileMasks(crossing);
    this.local = compileMasks(local);
    this.onlyDefaultLocalMasks = local.every(isDefault);
    this.onlyDefaultCrossingMasks = crossing.every(isDefault);
    this.plainNumbersMasked = this.onlyDefaultLocalMasks && local.some((mask) => mask.pattern === NUMBER_PATTERN);
    this.spotsDateAndSize = this.crossing !== undefined && crossing.every((mask) => SPOTTED_PATTERNS.has(mask.pattern));
  }

  /** The message's masked tokens, at most `maximumTokens` of them. */
  tokenize(message: string, maximumTokens: number): string[] {
    this.tokenizeInto(message, maximumTokens, this.scratch);
    return this.scratch.copy();
  }

  /** Fills `line` with the message's masked tokens, at most `maximumTokens` of them. */
  tokenizeInto(message: string, maximumTokens: number, line: TokenizedLine): void {
    line.count = 0;
    const codes = this.messageUnits.load(message);
    let cursor = 0;
    while (cursor < message.length && line.count < maximumTokens) {
      let wholeLineFrom: number;
      if (this.spotsDateAndSize) wholeLineFrom = this.pushLocalTokens(message, codes, cursor, message.length, line, maximumTokens, true);
      else {
        const crossing = this.nextCrossingMatch(message, codes, cursor);
        wholeLineFrom = crossing < 0 ? message.length : tokenStart(codes, crossing, cursor);
        this.pushLocalTokens(message, codes, cursor, wholeLineFrom, line, maximumTokens, false);
      }
      if (wholeLineFrom >= message.length || line.count >= maximumTokens) break;
      cursor = this.pushWholeLineTokens(message, codes, wholeLineFrom, line);
    }
    if (line.count > maximumTokens) line.count = maximumTokens;
    line.foldValueRuns();
  }

  /** Where the first crossing mask matches at or after `from`, or -1 (when the scan does not spot them). */
  private nextCrossingMatch(message: string, codes: Uint16Array, from: number): number {
    if (this.crossing === undefined || (this.onlyDefaultCrossingMasks && !hasDigitFrom(codes, from, message.length))) return -1;
    this.crossing.lastIndex = from;
    const match = this.crossing.exec(message);
    return match === null ? -1 : match.index;
  }

  /**
   * Pushes the tokens in [from, to), each masked alone, and returns where masking with every mask
   * must take over: `to`, unless `spot` is set and a crossing mask matches, when it is the start of
   * the token that match begins in (tokens already pushed from there on are taken back). `codes`
   * holds the message's code units (`CodeUnits.load`).
   */
  private pushLocalTokens(message: string, codes: Uint16Array, from: number, to: number, line: TokenizedLine, maximumTokens: number, spot: boolean): number {
    const firstToken = line.count;
    let end = to;
    let index = from;
    while (index < end && line.count < maximumTokens) {
      let code = codes[index] as number;
      let kind = kindOf(code);
      if (kind === WHITE_SPACE) {
        index += 1;
        continue;
      }
      // A token: hash its characters and note whether a mask may touch it, up to white space or `end`.
      const start = index;
      let hash = 0;
      let mayBeMasked = !this.onlyDefaultLocalMasks;
      do {
        hash = (Math.imul(hash, 31) + code) | 0;
        if ((kind & MAY_BE_MASKED) !== 0) mayBeMasked = true;
        if (spot && (kind & MAY_START_DATE_OR_SIZE) !== 0) {
          const candidate = dateOrSizeCandidateAt(codes, message.length, index, from);
          if (candidate >= 0) {
            // The first place a crossing mask may match: from there the expression finds the first
            // that does, if any, so a line is searched once, as when the scan was a separate pass.
            spot = false;
            const crossing = this.crossing as RegExp;
            crossing.lastIndex = candidate;
            const match = crossing.exec(message);
            if (match !== null) {
              const wholeLineFrom = tokenStart(codes, match.index, from);
              // Past this token (white space precedes it): tokens up to it are still local.
              if (wholeLineFrom > index) end = wholeLineFrom;
              else {
                while (line.count > firstToken && (line.starts[line.count - 1] as number) >= wholeLineFrom) line.count -= 1;
                return wholeLineFrom;
              }
            }
          }
        }
        index += 1;
        if (index >= end) break;
        code = codes[index] as number;
        kind = kindOf(code);
      } while (kind !== WHITE_SPACE);
      this.pushToken(message, codes, start, index, hash, mayBeMasked, line);
    }
    return end;
  }

  /** Pushes the masked token for message[start, end), whose characters hash to `hash`. */
  private pushToken(message: string, codes: Uint16Array, start: number, end: number, hash: number, mayBeMasked: boolean, line: TokenizedLine): void {
    const slot = (hash ^ (hash >>> 15)) & (TOKEN_CACHE_SLOTS - 1);
    const raw = this.rawAndMasked[2 * slot] as string;
    if (raw.length === end - start && occursAt(raw, codes, start)) {
      line.push(this.rawAndMasked[2 * slot + 1] as string, this.maskedHashes[slot] as number, start, this.maskedValues[slot] === 1);
      return;
    }
    const token = sliceOf(message, start, end);
    const masked = mayBeMasked ? this.maskedAlone(token) : token;
    const maskedHash = masked === token ? hash : hashOf(masked);
    const value = isValue(masked);
    this.rawAndMasked[2 * slot] = token;
    this.rawAndMasked[2 * slot + 1] = masked;
    this.maskedHashes[slot] = maskedHash;
    this.maskedValues[slot] = value ? 1 : 0;
    line.push(masked, maskedHash, start, value);
  }

  /** A token masked with the masks that stay inside tokens. */
  private maskedAlone(token: string): string {
    if (this.plainNumbersMasked && isPlainNumber(token)) return WILDCARD;
    return onlyVariablesFolded(this.local === undefined ? token : replaced(token, this.local, WILDCARD));
  }

  /**
   * Masks with every mask from `from` (a token's start) as `String.replace` would, until a match ends
   * at white space or the message ends, and pushes the tokens; returns where it stopped. The scan
   * runs on the whole message, so lookbehinds see what precedes `from`.
   */
  private pushWholeLineTokens(message: string, codes: Uint16Array, from: number, line: TokenizedLine): number {
    const all = this.all as RegExp;
    let masked = '';
    let copied = from;
    all.lastIndex = from;
    for (let match = all.exec(message); match !== null; match = all.exec(message)) {
      masked += sliceOf(message, copied, match.index) + WILDCARD;
      copied = match.index + match[0].length;
      if (match[0].length === 0) all.lastIndex += 1;
      else if (copied >= message.length || isWhiteSpace(codes[copied] as number)) break;
    }
    const stop = all.lastIndex === 0 || copied >= message.length ? message.length : copied;
    masked += sliceOf(message, copied, stop);
    // The parts between runs of white space, as `masked.split(/\s+/)` without empty parts, each hashed as it is read.
    const maskedCodes = this.maskedUnits.load(masked);
    let start = -1;
    let hash = 0;
    for (let index = 0; index <= masked.length; index += 1) {
      const code = maskedCodes[index] as number;
      if (index < masked.length && !isWhiteSpace(code)) {
        if (start < 0) {
          start = index;
          hash = 0;
        }
        hash = (Math.imul(hash, 31) + code) | 0;
      } else if (start >= 0) {
        const part = sliceOf(masked, start, index);
        const token = onlyVariablesFolded(part);
        line.push(token, token === part ? hash : WILDCARD_HASH, from, isValue(token));
        start = -1;
      }
    }
    return stop;
  }
}

/** Whether `token` occurs at `start` of the message whose code units are `codes`: `startsWith` by hand, which is faster on short tokens. */
function occursAt(token: string, codes: Uint16Array, start: number): boolean {
  for (let index = 0; index < token.length; index += 1) if (codeAt(token, index) !== codes[start + index]) return false;
  return true;
}

const DEFAULT_PATTERNS: ReadonlySet<RegExp> = new Set(DEFAULT_MASKS.map((mask) => mask.pattern));

function isDefault(mask: Mask): boolean {
  return DEFAULT_PATTERNS.has(mask.pattern);
}

/**
 * What the scan needs to know of an ASCII character, indexed by its code: WHITE_SPACE alone, or
 * flags. MAY_BE_MASKED: every match of a default mask holds a digit, `:` or `/`, except a UUID's,
 * which holds `-`; `<` starts a `<*>` already in the message, which may fold.
 * MAY_START_DATE_OR_SIZE: a digit or the first letter of a month's name.
 */
const WHITE_SPACE = 1;
const MAY_BE_MASKED = 2;
const MAY_START_DATE_OR_SIZE = 4;
const CHARACTER_KINDS = new Uint8Array(128);
for (let code = 0; code < 128; code += 1) {
  const character = String.fromCharCode(code);
  if (isWhiteSpace(code)) CHARACTER_KINDS[code] = WHITE_SPACE;
  else CHARACTER_KINDS[code] = ('0123456789:/-<'.includes(character) ? MAY_BE_MASKED : 0) | ('0123456789JFMASOND'.includes(character) ? MAY_START_DATE_OR_SIZE : 0);
}

function kindOf(code: number): number {
  return code < 128 ? (CHARACTER_KINDS[code] as number) : isWhiteSpace(code) ? WHITE_SPACE : 0;
}

function hasDigitFrom(codes: Uint16Array, from: number, length: number): boolean {
  for (let index = from; index < length; index += 1) {
    const code = codes[index] as number;
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}

/** Slots of a MaskingTokenizer's token cache, a power of two; a few MiB at most. */
const TOKEN_CACHE_SLOTS = 1 << 16;

/**
 * Whether a token is digits only, which the default local masks turn into one `<*>` (the number
 * mask takes all of it; every mask before it needs a letter, `.`, `:`, `-` or `/`).
 */
function isPlainNumber(token: string): boolean {
  for (let index = 0; index < token.length; index += 1) {
    const code = codeAt(token, index);
    if (code < 48 || code > 57) return false;
  }
  return token.length > 0;
}

const NUMBER_PATTERN = (DEFAULT_MASKS.find((mask) => mask.name === 'number') as Mask).pattern;
/** The crossing default masks whose possible starts `dateOrSizeCandidateAt` spots. */
const SPOTTED_PATTERNS: ReadonlySet<RegExp> = new Set(DEFAULT_MASKS.filter((mask) => ['date-time', 'size', 'duration-bound'].includes(mask.name)).map((mask) => mask.pattern));
const SIZE_INITIAL = 1;
const DURATION_INITIAL = 2;
/** The months' names as `threeLetterKey` reads them, so spotting a month slices no string. */
const MONTHS: ReadonlySet<number> = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((month) => threeLetterKey(Uint16Array.from(month, (character) => character.charCodeAt(0)), 0)));
/**
 * Indexed by character code below 256: 1 for the first letter of a size unit (`B`, `KB`, … `PiB`,
 * `bytes`), which may follow the digits at once; 2 for the first letter of a duration's unit in
 * words (`ms`, `µs`, `sec`, `minutes`, `hours`, `days`), which follows one space after a bound.
 */
const UNIT_INITIAL = new Uint8Array(256);
for (const character of 'BKMGTPkb') UNIT_INITIAL[character.charCodeAt(0)] = SIZE_INITIAL;
for (const character of 'nuµmshd') UNIT_INITIAL[character.charCodeAt(0)] = (UNIT_INITIAL[character.charCodeAt(0)] as number) | DURATION_INITIAL;

/** Three code units from `index` as one number, exact (48 bits). */
function threeLetterKey(codes: Uint16Array, index: number): number {
  return ((codes[index] as number) * 65_536 + (codes[index + 1] as number)) * 65_536 + (codes[index + 2] as number);
}

function isDigitAt(codes: Uint16Array, index: number): boolean {
  const code = codes[index] as number;
  return code >= 48 && code <= 57;
}

/**
 * For the digit or month initial at `index` (the scan started at `from`), where a match of the
 * default date-time and size masks may start because of it, or -1; no match starts before the
 * first such place. A match starts either at the first digit of a run of digits that is four long
 * and followed by `-` (`2015-10-18 …`) or that is followed, after an optional `.` and digits and an
 * optional space, by a unit's first letter (`5.3 KB`, `1 sec`); a `<`, `>` or `~` before the digits
 * belongs to the same token, where masking with every mask starts anyway; or at a month's name followed by a space, or
 * up to three letters and spaces before it (a day's name: `Mon  Jan 5`).
 */
function dateOrSizeCandidateAt(codes: Uint16Array, length: number, index: number, from: number): number {
  const code = codes[index] as number;
  if (code >= 48 && code <= 57) {
    if (index > from && isDigitAt(codes, index - 1)) return -1; // inside a run: its first digit decided
    let end = index + 1;
    while (end < length && isDigitAt(codes, end)) end += 1;
    if (end - index === 4 && codes[end] === 45) return index;
    // A bound before the digits starts the match (`<1 sec`): the expression must run from there.
    const bounded = index > from && isBoundAt(codes, index - 1);
    const start = bounded ? index - 1 : index;
    let after = end;
    if (codes[after] === 46 && after + 1 < length && isDigitAt(codes, after + 1)) {
      after += 2;
      while (after < length && isDigitAt(codes, after)) after += 1;
      if (isUnitAt(codes, after, bounded)) return start;
    }
    return isUnitAt(codes, end, bounded) ? start : -1;
  }
  if (codes[index + 3] !== 32 || !MONTHS.has(threeLetterKey(codes, index))) return -1;
  let before = index;
  while (before > from && codes[before - 1] === 32) before -= 1;
  return before < index ? Math.max(from, before - 3) : index;
}

/**
 * Whether a size unit's first letter stands at `index` or after one space there, or, for a bounded
 * value (`<1 sec`), a duration unit's after one space.
 */
function isUnitAt(codes: Uint16Array, index: number, bounded: boolean): boolean {
  const code = codes[index] as number;
  const initial = code === 32 ? (codes[index + 1] as number) : code;
  if (initial >= 256) return false;
  const kinds = UNIT_INITIAL[initial] as number;
  return (kinds & SIZE_INITIAL) !== 0 || (bounded && code === 32 && (kinds & DURATION_INITIAL) !== 0);
}

/** `<`, `>` or `~`, which bound a value. */
function isBoundAt(codes: Uint16Array, index: number): boolean {
  const code = codes[index] as number;
  return code === 60 || code === 62 || code === 126;
}

const ONLY_VARIABLES = /^(?:<\*>[,:;/_-]?)+$/;

/** `<*>,<*>` or `<*>:<*>` is one variable however many parts it has. */
function onlyVariablesFolded(token: string): string {
  return token !== WILDCARD && includesOf(token, WILDCARD) && ONLY_VARIABLES.test(token) ? WILDCARD : token;
}
