import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measuredFetch } from '../../src/slack/measured-fetch.js';
import type { SlackCallOutcome } from '../../src/telemetry/metrics.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';

/** The real Web API client over the instrumented fetch, against the fake Slack: every call's method and outcome. */

let slack: FakeSlack;
let recorded: Array<[string, SlackCallOutcome]>;
let client: WebClient;

beforeAll(async () => {
  slack = await startFakeSlack();
});

afterAll(async () => {
  await slack?.close();
});

function clientFor(apiUrl: string): WebClient {
  recorded = [];
  return new WebClient(slack.botToken, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    fetch: measuredFetch((method, outcome) => recorded.push([method, outcome])),
  });
}

describe('measuredFetch', () => {
  it('reports a successful call by its method, and leaves the response readable by the client', async () => {
    client = clientFor(slack.apiUrl);
    const posted = await client.chat.postMessage({ channel: 'C0METRICS', text: 'hello' });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/\d/);
    expect(recorded).toEqual([['chat.postMessage', 'ok']]);
  });

  it('tells ok: false, a 429 and a server error apart', async () => {
    client = clientFor(slack.apiUrl);
    slack.failNext('chat.update', { error: 'message_not_found' });
    await expect(client.chat.update({ channel: 'C0METRICS', ts: '1.2', text: 'x' })).rejects.toThrow(/message_not_found/);
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    await expect(client.chat.postMessage({ channel: 'C0METRICS', text: 'x' })).rejects.toThrow();
    slack.failNext('conversations.history', { status: 500 });
    await expect(client.conversations.history({ channel: 'C0METRICS' })).rejects.toThrow();
    expect(recorded).toEqual([
      ['chat.update', 'error'],
      ['chat.postMessage', 'rate_limited'],
      ['conversations.history', 'http_error'],
    ]);
  });

  it('reports a call that got no response as a network error and rethrows it', async () => {
    const closedPort = await freePort();
    client = clientFor(`http://127.0.0.1:${closedPort}/api/`);
    await expect(client.auth.test()).rejects.toThrow();
    expect(recorded).toEqual([['auth.test', 'network_error']]);
  });

  it('names anything that is not a Web API method "other"', async () => {
    const calls: string[] = [];
    const fetch = measuredFetch((method) => calls.push(method), async () => new Response('ok') as never);
    await fetch('https://hooks.slack.com/commands/T0/123/abc', { method: 'POST' });
    await fetch('https://files.slack.com/upload/v1/ABC123', { method: 'POST' });
    expect(calls).toEqual(['other', 'other']);
  });
});
