import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { stream, lines };
}

describe('logger', () => {
  it('writes JSON lines with the component of a child logger', async () => {
    const { stream, lines } = capture();
    createLogger({ destination: stream }).child({ component: 'sources' }).info({ services: 10 }, 'watching');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ level: 30, component: 'sources', services: 10, msg: 'watching' });
  });

  it('redacts tokens, secrets and authorization headers wherever they appear', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream });
    logger.info({ slack: { botToken: 'xoxb-secret', signingSecret: 'shh', mode: 'http' }, llm: { apiKey: 'sk-secret' } }, 'config');
    logger.warn({ request: { headers: { authorization: 'Bearer abc' } }, password: 'hunter2' }, 'request failed');
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    for (const secret of ['xoxb-secret', 'shh', 'sk-secret', 'Bearer abc', 'hunter2']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ slack: { botToken: '[redacted]', signingSecret: '[redacted]', mode: 'http' }, llm: { apiKey: '[redacted]' } });
  });

  it('redacts secrets by their shape inside messages and free text, leaving the rest readable', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream });
    logger.info({ question: 'why does DATABASE_URL=postgres://orders:pa55word@db:5432/orders fail?' }, 'answering');
    logger.warn({ error: new Error('auth failed for Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl') }, 'token xoxb-1234-5678-abcdefghijkl rejected');
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    for (const secret of ['pa55word', 'eyJzdWIiOiIxIn0', 'xoxb-1234-5678-abcdefghijkl']) expect(text).not.toContain(secret);
    expect(lines[0]!.question).toBe('why does DATABASE_URL=postgres://orders:[REDACTED]@db:5432/orders fail?');
    expect(lines[1]!.msg).toMatch(/^token \[REDACTED\] rejected$/);
  });

  it('honours the level', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'warn', destination: stream });
    logger.info('hidden');
    logger.error('shown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
