import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/logs/template-miner.js';

/** The template ids the default miner gives the messages, in order. */
function templateIds(messages: readonly string[]): string[] {
  const miner = new TemplateMiner();
  return messages.map((message) => miner.add(message).templateId);
}

describe('TemplateMiner with its default masks: what counts as one variable', () => {
  it('puts lines that differ only in a duration, as a clock, with its unit or as a bound in words, in one template', () => {
    const ids = templateIds(['proxy:5070 close, lifetime 00:02', 'proxy:5070 close, lifetime <1 sec', 'proxy:5070 close, lifetime >2 minutes', 'proxy:5070 close, lifetime 12ms']);
    expect(new Set(ids).size).toBe(1);
  });

  it('keeps a duration\'s unit word in the template when every line writes it', () => {
    const miner = new TemplateMiner();
    const first = miner.add('[instance: 17288ea8-cbf4-4f0e-94fe-853fd2735f29] Took 20.56 seconds to build instance.');
    const second = miner.add('[instance: 27288ea8-cbf4-4f0e-94fe-853fd2735f29] Took 1.2 seconds to build instance.');
    expect(second).toEqual({ templateId: first.templateId, template: '[instance: <*>] Took <*> seconds to build instance.', isNew: false });
  });

  it('puts lines that differ only in a size, in bytes or with its conversion in brackets, in one template', () => {
    const ids = templateIds(['close, 0 bytes sent, 0 bytes received', 'close, 1190 bytes (1.16 KB) sent, 403 bytes received', 'close, 5.3 KB sent, 18846 bytes (18.4 KB) received']);
    expect(new Set(ids).size).toBe(1);
  });

  it('puts lines that list any number of values in one template', () => {
    const miner = new TemplateMiner();
    const one = miner.add('BLOCK* ask 10.250.18.114:50010 to delete  blk_-5140072410813878235');
    const many = miner.add('BLOCK* ask 10.250.17.177:50010 to delete  blk_-8570780307468499817 blk_-9122557405432088649 blk_8767569714374844347');
    expect(many.templateId).toBe(one.templateId);
    expect(many.template).toBe('BLOCK* ask <*> to delete <*>');
  });

  it('reads a list of numbered names (an14 an15 …) as one variable, and a lone numbered name as a word', () => {
    const ids = templateIds(['failed to resolve data source name an14 an15 an16 an17', 'failed to resolve data source name an142 an143']);
    expect(new Set(ids).size).toBe(1);
    const miner = new TemplateMiner();
    const secure = miner.add('open through proxy HTTPS');
    expect(miner.add('open through proxy SOCKS5').templateId).not.toBe(secure.templateId);
  });

  it('masks hex words of eight digits or more, so a run of them has one shape whatever its letters', () => {
    const ids = templateIds(['packet (softheader=0064588e 8aff0003 00000002 00000000) PSR0=00001f01', 'packet (softheader=00589370 90990003 00000002 00000000) PSR0=00001f01']);
    expect(new Set(ids).size).toBe(1);
  });

  it('routes a host named without dots beside a port where an address with a port goes', () => {
    const ids = templateIds(['223.167.104.147:80 error : Could not connect to proxy', '10.0.0.1:80 error : Could not connect to proxy', 'wpad:80 error : Could not connect to proxy']);
    expect(new Set(ids).size).toBe(1);
  });
});
