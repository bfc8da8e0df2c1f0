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
  // Hex words of eight digits or more holding a decimal digit (`0064588e`, a commit or a register),
  // so that a run of them masks alike whether or not one happens to hold a letter.
  { name: 'hex', pattern: /\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b/ },
  // A size is one value with its unit, spelled or not, and with the same size in other units when a
  // program adds it in brackets: `0 bytes`, `5.3 KB` and `1190 bytes (1.16 KB)` all stand in one place.
  // A leading `<`, `>` or `~` (`<1 sec`, `~5 MB`) is part of the value, as it is for durations and numbers.
  { name: 'size', pattern: /(?<![\w.])[<>~]?\d+(?:\.\d+)? ?(?:[KMGTP]i?B|kB|B|[Bb]ytes?)\b(?: \([<>~]?\d+(?:\.\d+)? ?(?:[KMGTP]i?B|kB|B|[Bb]ytes?)\))?/ },
  { name: 'duration', pattern: /(?<![\w.])[<>~]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|m|min|h)(?![\w.])/ },
  // A bound on a duration written in words (`<1 sec`, `>5 minutes`, `~2 days`) is one value: programs
  // print it where they otherwise print a measured time, so `lifetime <1 sec` and `lifetime 00:02` must
  // differ only in a value, not in their token count. A plain `5 seconds` keeps its unit word, which
  // reads better in a template (`Took <*> seconds to build instance`).
  { name: 'duration-bound', pattern: /(?<![\w.])[<>~]\d+(?:\.\d+)? (?:ns|us|µs|ms|secs?|seconds?|mins?|minutes?|hrs?|hours?|days?)\b/ },
  { name: 'number', pattern: /(?<![A-Za-z0-9_.])[<>~]?[-+]?\d+(?:\.\d+)?(?![A-Za-z0-9_])(?!\.\d)/ },
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
