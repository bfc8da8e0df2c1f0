/**
 * A string's UTF-16 code units in a reused typed array, for the scanners that read a log line
 * character by character (`masks.ts`).
 *
 * Why not `line.charCodeAt(index)`: once a module declares `class … extends String` (ioredis 6's
 * `VerbatimString`, loaded by every process that opens Redis, the bot's included), V8 11 (Node 20)
 * keeps `String.prototype` in dictionary mode, and every method called on a string primitive is
 * then looked up the slow way and no longer inlined: `charCodeAt` costs about five times as much,
 * which halved the template miner inside the bot. Reading a typed array never consults
 * `String.prototype`, and `Buffer#write` copies a line's code units in one native call; the few
 * string methods still called per line are taken once (below). So the scan runs as fast in the
 * bot as alone.
 */
import { Buffer } from 'node:buffer';
import { endianness } from 'node:os';

/** How many zeros follow the text: scanners peek up to three past a place they are given, where `charCodeAt` reads NaN; 0 is no character they look for either. */
const PADDING = 4;
/** Longer lines get an array of their own, so one huge line does not hold its memory for good. */
const LARGEST_KEPT = 1 << 16;
/** `Buffer#write(…, 'utf16le')` writes little-endian code units: a Uint16Array reads them as such only on a little-endian machine. */
const LITTLE_ENDIAN = endianness() === 'LE';

export class CodeUnits {
  private bytes = Buffer.alloc(2 * 1024);
  private codes = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, 1024);

  /** The text's code units, then PADDING zeros; valid until the next `load`. */
  load(text: string): Uint16Array {
    const needed = text.length + PADDING;
    let bytes = this.bytes;
    let codes = this.codes;
    if (needed > codes.length) {
      bytes = Buffer.alloc(2 * Math.max(needed, 2 * codes.length));
      codes = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
      if (codes.length <= LARGEST_KEPT) {
        this.bytes = bytes;
        this.codes = codes;
      }
    }
    if (LITTLE_ENDIAN) bytes.write(text, 0, 'utf16le');
    else for (let index = 0; index < text.length; index += 1) codes[index] = codeAt(text, index);
    for (let index = text.length; index < needed; index += 1) codes[index] = 0;
    return codes;
  }
}

/**
 * The string methods the tokenizer calls per line or per new token, taken from `String.prototype`
 * once: called through `call`, they skip the lookup that dictionary mode slows (see above).
 */
const { charCodeAt, includes, slice } = String.prototype;
const replace: (this: string, pattern: RegExp, replacement: string) => string = String.prototype.replace;

export function codeAt(text: string, index: number): number {
  return charCodeAt.call(text, index);
}

export function sliceOf(text: string, start: number, end: number): string {
  return slice.call(text, start, end);
}

export function includesOf(text: string, part: string): boolean {
  return includes.call(text, part);
}

export function replaced(text: string, pattern: RegExp, replacement: string): string {
  return replace.call(text, pattern, replacement);
}
