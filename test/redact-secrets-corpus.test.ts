import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { LogLevel, WebClient, type FetchFunction } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel } from '../src/agent/chat-model.js';
import { logEvidenceLines } from '../src/investigation/log-evidence.js';
import { mineServiceLogs } from '../src/jobs/mine-service-logs.js';
import { createLogger, silentLogger } from '../src/logger.js';
import type { LogEntry } from '../src/logs/log-entry.js';
import { TemplateMiner, type MinerState } from '../src/logs/template-miner.js';
import { templateSummaryText } from '../src/logs/template-summary.js';
import { topErrorTemplates } from '../src/logs/top-error-templates.js';
import { logTemplatesMessage } from '../src/slack/blocks/log-templates-message.js';
import { context, escapeMrkdwn, section, truncate } from '../src/slack/blocks/limits.js';
import { redactingFetch } from '../src/slack/redacting-fetch.js';
import type { LogCursor, LogPage, LogReader } from '../src/sources/log-reader.js';
import { MinedLogs } from '../src/state/mined-logs.js';
import { WorkClaims } from '../src/state/work-claims.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-compatible.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack.js';
import { testRedis } from './support/test-redis.js';

/**
 * Every secret of the corpus (test/fixtures/secrets/corpus.json: fake secrets of many kinds, each
 * in the text it would arrive in) pushed through every way out of the bot: the model's requests,
 * the log, Slack and mined log templates. A secret leaks when it, or its first 16 characters (what
 * a cut before redaction leaves), is found in what left. The table lists leaks per exit; all are 0.
 */

interface CorpusSecret {
  kind: string;
  where: string;
  secret: string;
  text: string;
}

const corpus = (JSON.parse(readFileSync(new URL('./fixtures/secrets/corpus.json', import.meta.url), 'utf8')) as { secrets: CorpusSecret[] }).secrets;
const leaks = new Map<string, CorpusSecret[]>();

/** Every string inside a value (JSON bodies, log lines, Slack arguments), decoded, so escaping hides nothing. */
function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value);
    const trimmed = value.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        stringsIn(JSON.parse(value), into);
      } catch {
        // Not JSON: the string itself is what left.
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) stringsIn(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) stringsIn(item, into);
  }
  return into;
}

function leaked(secret: CorpusSecret, texts: readonly string[]): boolean {
  const fragment = secret.secret.slice(0, 16);
  return texts.some((text) => text.includes(secret.secret) || text.includes(fragment));
}

function report(exit: string, texts: readonly string[]): CorpusSecret[] {
  const found = corpus.filter((secret) => leaked(secret, texts));
  leaks.set(exit, found);
  return found;
}

function kindsOf(secrets: readonly CorpusSecret[]): string[] {
  return [...new Set(secrets.map((secret) => secret.kind))];
}

let openAi: FakeOpenAi;
let slack: FakeSlack;
const { redis } = await testRedis();
const prefix = `test:${randomUUID()}:`;

beforeAll(async () => {
  openAi = await startFakeOpenAi({ script: () => ({ text: 'Nothing stands out.' }) });
  slack = await startFakeSlack();
});

afterAll(async () => {
  console.log(`Secrets leaked per exit (corpus of ${corpus.length} secrets, ${kindsOf(corpus).length} kinds):`);
  console.table([...leaks].map(([exit, found]) => ({ exit, leaked: found.length, kinds: kindsOf(found).join(', ') })));
  await openAi?.close();
  await slack?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('the secrets corpus', () => {
  it('holds at least 50 secrets of at least 15 kinds, each in its context', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    expect(kindsOf(corpus).length).toBeGreaterThanOrEqual(15);
    for (const secret of corpus) expect(secret.text).toContain(secret.secret);
  });

  it('never reaches the model: system prompt, question, history, tool-call arguments and tool results', async () => {
    const model = createChatModel({ model: 'fake-gpt', baseUrl: openAi.baseUrl, apiKey: 'test-key' });
    for (const secret of corpus) {
      await model.invoke([
        new SystemMessage(`You investigate incidents. Context: ${secret.text}`),
        new HumanMessage(secret.text),
        new AIMessage({ content: secret.text, tool_calls: [{ id: 'call_1', name: 'search_logs', args: { query: secret.text } }] }),
        new ToolMessage({ tool_call_id: 'call_1', content: `status: ok\n${secret.text}` }),
        new HumanMessage(`and now? ${secret.text}`),
      ]);
    }
    const sent = openAi.requests().flatMap((request) => stringsIn(request.body));
    expect(sent.length).toBeGreaterThan(0);
    expect(kindsOf(report('model request', sent))).toEqual([]);
  });

  it('never reaches the log: messages, fields at any depth, errors however they are logged', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ destination: stream, level: 'debug' });
    for (const secret of corpus) {
      logger.info(secret.text);
      logger.info('answering %s', secret.text);
      logger.warn({ alert: { labels: { service: 'payment' }, annotations: { description: secret.text } } }, 'alert received');
      logger.error(new Error(secret.text));
      logger.error({ err: new Error(`wrapped: ${secret.text}`, { cause: new Error(secret.text) }) }, 'request failed');
      logger.error({ error: new Error(secret.text) }, 'source failed');
      logger.info({ a: { b: { c: { d: { e: { f: { g: { h: secret.text } } } } } } } }, 'deep');
      const cyclic: Record<string, unknown> = { detail: secret.text };
      cyclic.self = cyclic;
      logger.debug({ cyclic }, 'cycle');
      logger.child({ question: secret.text }).info('child logger');
    }
    await new Promise((resolve) => setImmediate(resolve));
    const written = lines.flatMap((line) => [line, ...stringsIn(JSON.parse(line) as unknown)]);
    expect(lines.length).toBeGreaterThanOrEqual(corpus.length * 9);
    expect(kindsOf(report('log (pino)', written))).toEqual([]);
  });

  it('never reaches Slack: posts, edits, ephemerals, App Home, response URLs and file uploads, cut or whole', async () => {
    const sentBodies: string[] = [];
    const recordingFetch: FetchFunction = async (url, init) => {
      const body = init?.body;
      if (typeof body === 'string') sentBodies.push(body, ...(body.startsWith('{') ? [] : [...new URLSearchParams(body).values()]));
      else if (body instanceof FormData) for (const [, value] of body) sentBodies.push(typeof value === 'string' ? value : await value.text());
      return globalThis.fetch(url, init);
    };
    const fetch = redactingFetch(recordingFetch);
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 }, fetch });
    for (const secret of corpus) {
      const escaped = escapeMrkdwn(secret.text);
      const posted = await client.chat.postMessage({ channel: 'C0SECRETS', text: secret.text, blocks: [section(escaped), context([truncate(escaped, 160)])] });
      await client.chat.update({ channel: 'C0SECRETS', ts: posted.ts!, text: truncate(secret.text, 200), blocks: [section(truncate(escaped, 180))] });
      await client.chat.postEphemeral({ channel: 'C0SECRETS', user: 'U0ASKER', text: secret.text });
      await client.views.publish({ user_id: 'U0ASKER', view: { type: 'home', blocks: [section(truncate(escaped, 170))] } });
      const response = await fetch(slack.responseUrl({ channel: 'C0SECRETS' }), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: secret.text }) });
      expect(response.ok).toBe(true);
    }
    await client.filesUploadV2({ channel_id: 'C0SECRETS', filename: 'incident-logs.txt', content: corpus.map((secret) => secret.text).join('\n') });
    const received = slack.calls().flatMap((call) => stringsIn(call.body));
    expect(received.length).toBeGreaterThan(corpus.length * 5);
    expect(kindsOf(report('Slack calls', [...received, ...sentBodies]))).toEqual([]);
  });

  it('never reaches mined log templates, their example lines, /aiops logs or answers quoting logs', async () => {
    const start = Date.UTC(2026, 11, 4, 12, 0, 0);
    const entries: LogEntry[] = corpus.flatMap((secret, index) =>
      [0, 1, 2].map((repeat): LogEntry => ({ timestamp: start + index * 1000 + repeat * 60_000, service: 'payment', level: 'error', message: secret.text })),
    );
    const reader: LogReader = {
      async *pages(_service: string, cursor: LogCursor | undefined): AsyncGenerator<LogPage> {
        if (cursor !== undefined) return;
        const sorted = [...entries].sort((left, right) => left.timestamp - right.timestamp);
        const last = sorted.at(-1)!;
        yield { entries: sorted, cursor: { timestamp: last.timestamp, idsAtTimestamp: [String(last.timestamp)] } };
      },
    };
    const minedLogs = new MinedLogs(redis, prefix);
    const now = start + 10 * 60_000;
    await mineServiceLogs('payment', {
      reader,
      stores: { minedLogs, claims: new WorkClaims(redis, prefix) },
      now: () => now,
      logger: silentLogger(),
      createMiner: () => new TemplateMiner(),
      restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
      sink: async () => undefined,
      options: { ingestDelaySeconds: 0, warmUpMinutes: 30 },
    });
    const details = [...(await minedLogs.templateDetails('payment')).values()];
    expect(details.length).toBeGreaterThan(0);
    const summary = await minedLogs.templateSummary('payment', { now, minutes: 10, limit: 100 });
    const evidence = topErrorTemplates(entries, { windowStart: start, windowMilliseconds: now - start, baselineMilliseconds: 60 * 60_000, limit: 100, minimumCount: 1 });
    const shown = [
      ...details.flatMap((detail) => [detail.template, detail.example]),
      templateSummaryText(summary),
      ...stringsIn(logTemplatesMessage(summary)),
      ...evidence.flatMap((template) => [template.template, template.example]),
      ...logEvidenceLines({ service: 'payment', templates: evidence, since: start, estimated: false }),
    ];
    expect(kindsOf(report('mined templates', shown))).toEqual([]);
  });
});
