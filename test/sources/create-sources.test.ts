import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSources } from '../../src/sources/create-sources.js';
import { startFakeJaeger } from '../fakes/jaeger.js';

const logger = createLogger({ level: 'fatal' });

describe('createSources: traces', () => {
  it('reads Jaeger at JAEGER_URL when it is set, alongside the simulated world', async () => {
    const jaeger = await startFakeJaeger([]);
    try {
      const sources = await createSources(loadConfig({ JAEGER_URL: jaeger.url }), logger);
      expect(sources.traces?.kind).toBe('jaeger');
      await sources.traces!.searchTraces({ service: 'checkout', start: new Date(0), end: new Date(60_000) });
      expect(jaeger.requests().map((request) => request.path)).toEqual(['/api/traces']);
    } finally {
      await jaeger.close();
    }
  });

  it('plays the simulated world\'s traces when every source is simulated', async () => {
    const sources = await createSources(loadConfig({}), logger);
    expect(sources.traces?.kind).toBe('sim');
  });

  it('invents no traces for a real estate that has no tracing backend', async () => {
    const sources = await createSources(loadConfig({ PROMETHEUS_URL: 'http://127.0.0.1:9' }), logger);
    expect(sources.traces).toBeUndefined();
  });
});
