import { describe, expect, it } from 'vitest';
import { scaleCatalogue } from '../../bench/scale-catalogue.js';
import { parseCatalogue } from '../../src/catalogue.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { SIGNALS } from '../../src/signals.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 24, 19, 0, 0);

describe('the catalogue of bench:scale', () => {
  const catalogue = parseCatalogue(scaleCatalogue(25), 'scale.yml');
  const sources = createSimulatedSources(catalogue, { clock: new ManualClock(NOW), seed: 4 });

  it('is a catalogue the bot loads: the shop cloned into shards of ten, calls kept inside each shard', () => {
    const names = Object.keys(catalogue.services);
    expect(names).toHaveLength(25);
    expect(names.slice(0, 3)).toEqual(['frontend-00000', 'checkout-00000', 'order-service-00000']);
    expect(catalogue.services['checkout-00001']).toMatchObject({ namespace: 'shop', deployment: 'checkout', team: 'payments', channel: '#shop-payments' });
    expect(catalogue.services['checkout-00001']!.dependencies).toEqual(['order-service-00001', 'cart-00001', 'payment-00001', 'shipping-00001']);
    // The last shard holds five services: the calls to clones it lacks are dropped.
    expect(catalogue.services['frontend-00002']!.dependencies).toEqual(['cart-00002', 'checkout-00002']);
    expect(catalogue.services['cart-00002']!.dependencies).toEqual([]);
  });

  it('gives each clone its deployment\'s metrics and logs, under its own name', async () => {
    const range = { start: new Date(NOW - 30 * MINUTE), end: new Date(NOW), stepSeconds: 60 };
    for (const signal of SIGNALS) {
      const clone = await sources.metrics.range('cart-00002', signal, range);
      const original = await sources.metrics.range('cart-00000', signal, range);
      expect(clone.samples).toEqual(original.samples);
      expect(clone.samples).toHaveLength(31);
    }
    const pages = [];
    for await (const page of sources.logReader.pages('database-00001', undefined, { since: NOW - 10 * MINUTE, until: NOW })) pages.push(page);
    const lines = pages.flatMap((page) => page.entries);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.service === 'database-00001')).toBe(true);
    const searched = await sources.logs.search({ service: 'database-00001', start: new Date(NOW - 10 * MINUTE), end: new Date(NOW), limit: 5 });
    expect(searched.map((line) => line.service)).toEqual(Array(5).fill('database-00001'));
  });

  it('clones only the services asked for, and names the example\'s services when asked for one it lacks', () => {
    const quiet = parseCatalogue(scaleCatalogue(6, { originals: ['cart', 'cache'] }), 'quiet.yml');
    expect(Object.keys(quiet.services)).toEqual(['cart-00000', 'cache-00000', 'cart-00001', 'cache-00001', 'cart-00002', 'cache-00002']);
    expect(quiet.services['cart-00001']!.dependencies).toEqual(['cache-00001']);
    expect(() => scaleCatalogue(6, { originals: ['basket'] })).toThrow(/unknown service\(s\) basket; the example catalogue has frontend, /);
  });
});
