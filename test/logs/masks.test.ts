import { describe, expect, it } from 'vitest';
import { DEFAULT_MASKS, type Mask, MaskingTokenizer, WILDCARD, compileMasks, crossesWhiteSpace, isWhiteSpace, maskMessage } from '../../src/logs/masks.js';

const masks = compileMasks(DEFAULT_MASKS);
const mask = (message: string): string => maskMessage(message, masks);

describe('default masks', () => {
  it.each([
    ['url', 'fetch https://example.com/a?b=1 done', 'fetch <*> done'],
    ['uuid', 'instance 17288ea8-cbf4-4f0e-94fe-853fd2735f29 gone', 'instance <*> gone'],
    ['mac', 'chip FF:F2:9F:16:E2:AD changed', 'chip <*> changed'],
    ['ip-with-port', 'from /10.251.37.240:35757 to 10.0.0.1', 'from <*> to <*>'],
    ['date-time', 'at Sat Jul  9 12:16:49 2005 and 2026-11-25T12:00:00Z', 'at <*> and <*>'],
    ['host-with-port', 'proxy.cse.cuhk.edu.hk:5070 open', '<*> open'],
    ['host-name', 'from lns-82-252-162-81.adsl.proxad.net now', 'from <*> now'],
    ['block-id', 'block blk_-6952295868487656571 done', 'block <*> done'],
    ['path', 'image /var/lib/nova/instances/_base checked', 'image <*> checked'],
    ['hex', 'register 0x00002000 and a489c868f0c37da93b76227c91bb03908ac0e742', 'register <*> and <*>'],
    ['hex of eight digits', 'softheader=0064588e 8aff0003 but deadbeef', 'softheader=<*> <*> but deadbeef'],
    ['size', 'estimated size 5.3 KB', 'estimated size <*>'],
    ['size in words, with its conversion', '0 bytes sent, 1190 bytes (1.16 KB) received, ~5 MiB kept', '<*> sent, <*> received, <*> kept'],
    ['duration', 'took 12ms and 3.5s', 'took <*> and <*>'],
    ['duration bound', 'lifetime <1 sec, over >3 minutes, ~2 days but 5 seconds', 'lifetime <*>, over <*>, <*> but <*> seconds'],
    ['number', 'uid=0 count 42 ratio -1.5 below <5', 'uid=<*> count <*> ratio <*> below <*>'],
  ])('%s', (_name, message, masked) => {
    expect(mask(message)).toBe(masked);
  });

  it('leaves ordinary words, identifiers with digits inside and class names alone', () => {
    const message = 'VM Started (Lifecycle Event) via org.apache.spark.SecurityManager for SOCKS5 user root';
    expect(mask(message)).toBe(message);
  });

  it('runs extra masks before the defaults', () => {
    const extra = compileMasks([{ name: 'ticket', pattern: /TICKET-\d+/ }, ...DEFAULT_MASKS]);
    expect(maskMessage('closed TICKET-42 after 3 tries', extra)).toBe('closed <*> after <*> tries');
  });
});

describe('MaskingTokenizer', () => {
  const onlyVariables = /^(?:<\*>[,:;/_-]?)+$/;
  const isValue = (token: string | undefined): boolean => token === WILDCARD || /^[A-Za-z]+[0-9]+$/.test(token ?? '');
  /** A run of values (`<*>`, or numbered names such as `an14` beside another value) is one `<*>`. */
  const foldValueRuns = (tokens: string[]): string[] => {
    const folded: string[] = [];
    tokens.forEach((token, index) => {
      if (isValue(token) && folded[folded.length - 1] === WILDCARD) return;
      folded.push(token === WILDCARD || (isValue(token) && isValue(tokens[index + 1])) ? WILDCARD : token);
    });
    return folded;
  };
  /** The reference: mask the whole line, split on white space, fold `<*>,<*>` into one `<*>`, fold runs of values. */
  const reference = (message: string, masks: readonly Mask[]): string[] =>
    foldValueRuns(
      maskMessage(message, compileMasks(masks))
        .split(/\s+/)
        .filter((token) => token !== '')
        .map((token) => (onlyVariables.test(token) ? WILDCARD : token)),
    );
  const proxifierMasks: Mask[] = [
    { name: 'proxifier-traffic', pattern: /\d+ bytes(?: \([^)]*\))?/ },
    { name: 'proxifier-lifetime', pattern: /(?<=lifetime )(?:<1 sec|[\d:]+)/ },
  ];

  it.each([
    'connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005',
    'Block broadcast_9_piece0 stored as bytes in memory (estimated size 5.2 KB, free 5.2 KB)',
    'Final resource view: phys_ram=64172MB used_ram=2560MB phys_disk=15GB used_disk=20GB',
    'at Sat Jul  9 12:16:49 2005 and 2026-11-25 12:00:00,123 then 2026-11-25T12:00:00Z done',
    '  leading\tand trailing\u00a0white\u2003space 42  ',
    'already masked <*>,<*> and <*>:<*> stay one',
    'uuid deadbeef-abcd-abcd-abcd-abcdefabcdef without digits',
    'proxy.cse.cuhk.edu.hk:5070 close, 1190 bytes (1.16 KB) sent, 403 bytes received, lifetime <1 sec',
    'timeout after 5 seconds, 3 min or 2.5 hrs; µ 7 µs; a<1 sec, >2 ms and ~3 days but 4 sheep',
    'delete blk_1 blk_-2 blk_3 then an14 an15 an16 and SOCKS5 alone, eth0 10.0.0.1 up',
    '',
    '   ',
  ])('masks like the whole-line expression: %s', (message) => {
    expect(new MaskingTokenizer(DEFAULT_MASKS).tokenize(message, 512)).toEqual(reference(message, DEFAULT_MASKS));
  });

  it('keeps extra masks that cross white space or look behind it exact', () => {
    const masks = [...proxifierMasks, ...DEFAULT_MASKS];
    const message = 'proxy.cse.cuhk.edu.hk:5070 close, 451 bytes sent, 18846 bytes (18.4 KB) received, lifetime <1 sec';
    expect(new MaskingTokenizer(masks).tokenize(message, 512)).toEqual(reference(message, masks));
    expect(new MaskingTokenizer(masks).tokenize('lifetime 00:02 end', 512)).toEqual(['lifetime', WILDCARD, 'end']);
  });

  it('gives the same tokens when a token repeats, and stops at maximumTokens', () => {
    const tokenizer = new MaskingTokenizer(DEFAULT_MASKS);
    expect(tokenizer.tokenize('took 12ms for 3 files', 512)).toEqual(['took', WILDCARD, 'for', WILDCARD, 'files']);
    expect(tokenizer.tokenize('took 12ms for 3 files', 512)).toEqual(['took', WILDCARD, 'for', WILDCARD, 'files']);
    expect(tokenizer.tokenize('IRQs 3 4 5 an7 an8 then x', 512)).toEqual(['IRQs', WILDCARD, 'then', 'x']);
    expect(tokenizer.tokenize('a b c d e', 3)).toEqual(['a', 'b', 'c']);
  });

  it('skips ahead to where a date or size may start, and masks digit-only tokens by hand, as the whole-line expression does', () => {
    const messages = [
      'ab 12345-67 x2015-10-18 12:00:00 then 2015-10-18 12:00:00 and 7 KB or 7KB or 1.5 MB or 1.5MB or 12.x B',
      'on Mon   Jan  5 12:00:00 2005 and Tue Fe 3 and Dec 12 and xJan 3 Janu 4 Sat  Mar 9',
      'Mon Jan 5 at start, then 3.2.1 B and 0012 and -5 and +7 and 1.5 and 99bottles 5.5.5',
      'sizes: 10 GiB 10 Bytes 10Tb 4 K 3.25 TiB 1234-5678 2026-11-25T12:00:00Z 2026-11-25',
    ];
    const tokenizer = new MaskingTokenizer(DEFAULT_MASKS);
    for (const message of messages) {
      expect(tokenizer.tokenize(message, 512)).toEqual(reference(message, DEFAULT_MASKS));
      expect(tokenizer.tokenize(message, 512)).toEqual(reference(message, DEFAULT_MASKS));
    }
    const withoutNumbers = DEFAULT_MASKS.filter((mask) => mask.name !== 'number' && mask.name !== 'size');
    expect(new MaskingTokenizer(withoutNumbers).tokenize('took 12 ms for 3 files', 512)).toEqual(reference('took 12 ms for 3 files', withoutNumbers));
  });

  it('keeps tokens apart whose hashes meet in the token cache', () => {
    const tokenizer = new MaskingTokenizer(DEFAULT_MASKS);
    const messages = Array.from({ length: 40_000 }, (_, index) => `id-${index} at /a/${index}/b ${index}x ${index.toString(16)}:${index}`);
    for (const message of messages) expect(tokenizer.tokenize(message, 512)).toEqual(reference(message, DEFAULT_MASKS));
  });

  it('masks lines of any length and alphabet alike, whatever line came before', () => {
    const tokenizer = new MaskingTokenizer(DEFAULT_MASKS);
    const messages = ['2015-10-18 12:00:00 then 5 KB and Jan 3', '2015', '5', 'Jan', 'smile \u{1F600} 5 KB, ünïcode\u3000Jan 3 and a lone \ud800 12', `${'word 12 '.repeat(20_000)}Dec 9`, 'Dec'];
    for (const message of messages) expect(tokenizer.tokenize(message, 100_000)).toEqual(reference(message, DEFAULT_MASKS));
  });

  it('runs extra masks that stay inside tokens on every token', () => {
    const masks = [{ name: 'word', pattern: /secret\w*/ }, ...DEFAULT_MASKS];
    expect(new MaskingTokenizer(masks).tokenize('the secretive word', 512)).toEqual(['the', WILDCARD, 'word']);
  });
});

describe('crossesWhiteSpace', () => {
  it('tells apart masks that stay inside a token from those that may not', () => {
    const crossing = DEFAULT_MASKS.filter((mask) => crossesWhiteSpace(mask.pattern)).map((mask) => mask.name);
    expect(crossing).toEqual(['date-time', 'size', 'duration-bound']);
    for (const pattern of [/a b/, /a\sb/, /a.b/, /^a/, /a$/, /[^)]+/, /[ -~]/, /a\x20/, /(?<=lifetime )\d/]) expect(crossesWhiteSpace(pattern)).toBe(true);
    for (const pattern of [/[^\s"]+/, /[\w.-]+/, /(?<![\w.])\d+/, /\bblk_-?\d+\b/, /[!-~]/]) expect(crossesWhiteSpace(pattern)).toBe(false);
  });

  it('isWhiteSpace agrees with \\s on every UTF-16 code unit', () => {
    const disagreements: number[] = [];
    for (let code = 0; code < 0x10000; code += 1) if (isWhiteSpace(code) !== /\s/.test(String.fromCharCode(code))) disagreements.push(code);
    expect(disagreements).toEqual([]);
  });
});
