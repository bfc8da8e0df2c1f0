import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer, type RunningServer } from '../../src/http/health-server.js';
import { createLogger } from '../../src/logger.js';

/** The process's endpoint answers whoever reaches it: failures are told in the log, not in the body. */

let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the health server', () => {
  it('answers a failed GET /metrics with a short body, and logs the reason', async () => {
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const internal = 'connect ECONNREFUSED 10.20.30.40:6379 at Socket.<anonymous> (/app/dist/state/redis.js:12:7)';
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      status: () => ({}),
      metrics: { contentType: 'text/plain', render: () => Promise.reject(new Error(internal)) },
      logger: createLogger({ level: 'info', destination }),
    });

    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toBe('metrics: could not be rendered; see the bot log\n');
    expect(lines.filter((line) => line.includes('ECONNREFUSED 10.20.30.40'))).toHaveLength(1);
  });

  it('listens on the address it is given, and says which', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', status: () => ({}) });
    expect(server.address).toBe('127.0.0.1');
  });
});
