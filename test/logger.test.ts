import { PassThrough } from 'node:stream';
import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { logAnomaly } from '../src/incidents/incident-log.js';
import type { Anomaly } from '../src/detection/anomaly.js';
import { createLogger, PRETTY_OPTIONS } from '../src/logger.js';

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
    expect(lines[0]).toMatchObject({ slack: { botToken: '[REDACTED]', signingSecret: '[REDACTED]', mode: 'http' }, llm: { apiKey: '[REDACTED]' } });
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

  it('redacts errors however they are logged, and fields at any depth, keeping the error readable', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream });
    const secret = 'postgres://orders:Pa55w0rdXyz@db:5432/orders';
    logger.error(new Error(`cannot connect to ${secret}`));
    logger.error({ err: new Error(`cannot connect to ${secret}`) }, 'request failed');
    logger.warn({ error: new Error(`cannot connect to ${secret}`) }, 'source failed');
    logger.info({ one: { two: { three: { four: { five: { six: { seven: `DB_PASS=Kq8vLp2RzQ ${secret}` } } } } } } }, 'deep');
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    for (const leaked of ['Pa55w0rdXyz', 'Kq8vLp2RzQ']) expect(text).not.toContain(leaked);
    expect(lines[0]).toMatchObject({ msg: 'cannot connect to postgres://orders:[REDACTED]@db:5432/orders', err: { type: 'Error' } });
    expect(lines[2]).toMatchObject({ error: { type: 'Error', message: 'cannot connect to postgres://orders:[REDACTED]@db:5432/orders' } });
  });

  it('honours the level', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'warn', destination: stream });
    logger.info('hidden');
    logger.error('shown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('shows an anomaly warning as one line in a terminal, and any line with a big object too', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ destination: stream });
    const anomaly: Anomaly = {
      id: 'database:anomaly:1796404800000',
      kind: 'anomaly',
      service: 'database',
      signals: ['latency_p95', 'error_rate'],
      score: 0.999,
      severity: 'warning',
      detectedAt: 1796404800000,
      evidence: { start: 1796404500000, end: 1796404800000 },
      summary: 'database: latency_p95 190 ms (usually 9.5 ms)',
      baseline: { latency_p95: 0.0095, error_rate: 0.0002 },
    };
    logAnomaly(logger.child({ component: 'alerts' }), anomaly);
    logger.info({ services: Array.from({ length: 10 }, (_, index) => `shop/service-${index}`), nested: { deeper: { deepest: [1, 2, 3] } } }, 'watching 10 services');
    await new Promise((resolve) => setImmediate(resolve));
    const pretty = prettyFactory({ ...PRETTY_OPTIONS, colorize: false });
    const [warning, watching] = lines.map((line) => pretty(line));
    expect(warning!.trimEnd().split('\n')).toHaveLength(1);
    expect(warning).toMatch(/^\[\d{2}:\d{2}:\d{2}\] WARN: database: latency_p95 190 ms \(usually 9\.5 ms\) \{"component":"alerts","anomalyId":"database:anomaly:1796404800000",/);
    expect(watching!.trimEnd().split('\n')).toHaveLength(1);
    // JSON lines keep what a log search needs.
    expect(lines[0]).toMatchObject({ level: 40, component: 'alerts', anomalyId: anomaly.id, service: 'database', severity: 'warning', msg: anomaly.summary });
  });
});
