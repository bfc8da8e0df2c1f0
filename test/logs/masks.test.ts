import { describe, expect, it } from 'vitest';
import { DEFAULT_MASKS, compileMasks, maskMessage } from '../../src/logs/masks.js';

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
    ['size', 'estimated size 5.3 KB', 'estimated size <*>'],
    ['duration', 'took 12ms and 3.5s', 'took <*> and <*>'],
    ['number', 'uid=0 count 42 ratio -1.5', 'uid=<*> count <*> ratio <*>'],
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
