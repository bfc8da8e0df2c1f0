import { describe, expect, it } from 'vitest';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';

describe('ChannelPacer', () => {
  it('spaces sends to one channel and keeps their order, without holding other channels back', async () => {
    const pacer = new ChannelPacer(200);
    const sent: Array<{ what: string; at: number }> = [];
    const started = Date.now();
    const send = (channel: string, what: string) => pacer.send(channel, async () => void sent.push({ what, at: Date.now() - started }));
    await Promise.all([send('C1', 'a'), send('C1', 'b'), send('C1', 'c'), send('C2', 'x')]);
    expect(sent.map((entry) => entry.what)).toEqual(['a', 'x', 'b', 'c']);
    const at = Object.fromEntries(sent.map((entry) => [entry.what, entry.at]));
    expect(at.b! - at.a!).toBeGreaterThanOrEqual(190);
    expect(at.c! - at.b!).toBeGreaterThanOrEqual(190);
    expect(at.x!).toBeLessThan(100);
  });

  it('keeps going after a failed send', async () => {
    const pacer = new ChannelPacer(10);
    await expect(pacer.send('C1', async () => Promise.reject(new Error('429')))).rejects.toThrow('429');
    await expect(pacer.send('C1', async () => 'delivered')).resolves.toBe('delivered');
  });
});
