import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, type types } from '@slack/bolt';
import { ErrorCode, WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RESPONSE_URL_CALL, UPLOAD_CALL, startFakeSlack, type FakeSlack } from './slack.js';
import { blockActionPayload, eventCallbackBody, sendBlockAction, sendCommand, sendEvent, slashCommandFields, urlVerification } from './slack-signer.js';
import { startFakeSocketMode, type FakeSocketMode } from './slack-socket-mode.js';

const CHANNEL = 'C0ALERTS01';
const USER = 'U0ENGINEER';
const SIGNING_SECRET = 'test-signing-secret';

describe('fake Slack Web API with the real WebClient', () => {
  let slack: FakeSlack;
  let client: WebClient;

  beforeEach(async () => {
    slack = await startFakeSlack();
    client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
  });
  afterEach(() => slack.close());

  it('answers auth.test with the bot identity and checks the bearer token', async () => {
    const identity = await client.auth.test();
    expect(identity).toMatchObject({ ok: true, user_id: slack.identity.botUserId, bot_id: slack.identity.botId, team_id: slack.identity.teamId });
    expect(slack.calls('auth.test')[0]?.headers.authorization).toBe(`Bearer ${slack.botToken}`);

    const stranger = new WebClient('xoxb-someone-else', { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    await expect(stranger.auth.test()).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'invalid_auth' } });
    const appLevel = new WebClient(slack.appToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
    await expect(appLevel.chat.postMessage({ channel: CHANNEL, text: 'hi' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
  });

  it('receives blocks parsed from the form field the WebClient JSON-encodes, and applies updates to messages()', async () => {
    const section: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: '*order-service* latency high' } };
    const blocks: types.KnownBlock[] = [
      section,
      { type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'incident-1' }] },
    ];
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'order-service latency high', blocks });
    const reply = await client.chat.postMessage({ channel: CHANNEL, text: 'investigating', thread_ts: posted.ts });

    const call = slack.calls('chat.postMessage')[0];
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.body.blocks).toEqual(blocks);
    expect(posted.channel).toBe(CHANNEL);
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));

    await client.chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'order-service recovered', blocks: [section] });
    const [parent, threaded] = slack.messages(CHANNEL);
    expect(parent).toMatchObject({ ts: posted.ts, text: 'order-service recovered', blocks: [section], updateCount: 1 });
    expect(threaded).toMatchObject({ threadTs: posted.ts, text: 'investigating' });
    expect(slack.thread(CHANNEL, posted.ts ?? '')).toHaveLength(2);

    await expect(client.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'nothing there' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('hands out ts values that are unique and increasing even within one millisecond', async () => {
    const posts = await Promise.all(Array.from({ length: 20 }, (_, index) => client.chat.postMessage({ channel: CHANNEL, text: `burst ${index}` })));
    const stamps = posts.map((post) => post.ts ?? '');
    expect(new Set(stamps).size).toBe(20);
    expect(slack.messages(CHANNEL).map((message) => message.ts)).toEqual([...stamps].sort());
  });

  it('answers 429 with Retry-After, which the WebClient waits out before retrying', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const announcedWaits: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => announcedWaits.push(seconds));

    const started = performance.now();
    await client.chat.postMessage({ channel: CHANNEL, text: 'after the rate limit' });
    const elapsed = performance.now() - started;

    const [limited, retried] = slack.calls('chat.postMessage');
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(announcedWaits).toEqual([1]);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
  });

  it('answers ok:false errors the WebClient raises as platform errors, once per queued failure', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const failure = await client.chat.postMessage({ channel: CHANNEL, text: 'lost' }).catch((error: unknown) => error as WebAPIPlatformError);
    expect(failure).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: CHANNEL, text: 'found' })).resolves.toMatchObject({ ok: true });
    expect(slack.messages(CHANNEL).map((message) => message.text)).toEqual(['found']);
  });

  it('goes out and comes back on the same URL: 503 to every call, then connections refused, then answers again', async () => {
    const quick = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
    await slack.outage('unavailable');
    await expect(quick.chat.postMessage({ channel: CHANNEL, text: 'during the 503s' })).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    expect(slack.calls('chat.postMessage').map((call) => call.status)).toEqual([503]);

    await slack.outage('refused');
    await expect(quick.chat.postMessage({ channel: CHANNEL, text: 'while refused' })).rejects.toMatchObject({ code: ErrorCode.RequestError, original: { cause: { code: 'ECONNREFUSED' } } });
    expect(slack.calls('chat.postMessage')).toHaveLength(1);

    await slack.restore();
    await expect(quick.chat.postMessage({ channel: CHANNEL, text: 'back' })).resolves.toMatchObject({ ok: true });
    expect(slack.messages(CHANNEL).map((message) => message.text)).toEqual(['back']);
  });

  it('uploads a file through filesUploadV2: getUploadURLExternal, the upload, completeUploadExternal', async () => {
    const chart = Buffer.alloc(4321, 7);
    const thread = await client.chat.postMessage({ channel: CHANNEL, text: 'forecast' });
    await client.filesUploadV2({ file: chart, filename: 'forecast.png', title: 'Forecast', channel_id: CHANNEL, thread_ts: thread.ts ?? '', initial_comment: 'the chart' });

    expect(slack.calls('files.getUploadURLExternal')[0]?.body).toMatchObject({ filename: 'forecast.png', length: '4321' });
    const upload = slack.calls(UPLOAD_CALL)[0];
    expect(upload?.body).toMatchObject({ bytes: 4321 });
    expect(String(upload?.body.contentType)).toMatch(/^multipart\/form-data/);
    const completion = slack.calls('files.completeUploadExternal')[0];
    expect(completion?.body.files).toEqual([{ id: slack.files()[0]?.id, title: 'Forecast' }]);
    expect(slack.files()[0]).toMatchObject({ declaredLength: 4321, uploadedBytes: 4321, completed: true });
    expect(slack.thread(CHANNEL, thread.ts ?? '')[1]).toMatchObject({ text: 'the chart', files: [{ name: 'forecast.png', title: 'Forecast' }] });
  });

  it('speaks the smaller methods: ephemeral, App Home, DMs, users', async () => {
    await expect(client.chat.postEphemeral({ channel: CHANNEL, user: USER, text: 'only you' })).resolves.toMatchObject({ ok: true, message_ts: expect.any(String) });
    await client.views.publish({ user_id: USER, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Incidents' } }] } });
    expect(slack.homeView(USER)).toMatchObject({ type: 'home', blocks: [{ type: 'section' }] });
    const direct = await client.conversations.open({ users: USER });
    expect(direct.channel?.id).toMatch(/^D/);
    await client.chat.postMessage({ channel: USER, text: 'a DM' });
    expect(slack.messages(direct.channel?.id)).toHaveLength(1);
    await expect(client.users.info({ user: USER })).resolves.toMatchObject({ user: { id: USER, is_bot: false } });
    expect(slack.messages(CHANNEL)).toEqual([]);
  });

  it('reads JSON bodies, which carry the token only in the Authorization header', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${slack.apiUrl}chat.postMessage`, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) }).then(
        (response) => response.json() as Promise<Record<string, unknown>>,
      );
    await expect(post({ Authorization: `Bearer ${slack.botToken}` }, { channel: CHANNEL, text: 'json', unfurl_links: false })).resolves.toMatchObject({ ok: true });
    expect(slack.calls('chat.postMessage')[0]?.body).toEqual({ channel: CHANNEL, text: 'json', unfurl_links: false });
    await expect(post({}, { token: slack.botToken, channel: CHANNEL, text: 'json' })).resolves.toEqual({ ok: false, error: 'not_authed' });
  });

  it('explains a waitFor timeout with the calls that did arrive', async () => {
    await client.chat.postMessage({ channel: CHANNEL, text: 'something else' });
    await expect(slack.waitFor('chat.update', 100)).rejects.toThrow(/chat\.update within 100 ms[\s\S]*chat\.postMessage .*something else/);
    const later = slack.waitFor((call) => call.method === 'chat.postMessage' && call.body.text === 'later', 2000);
    await client.chat.postMessage({ channel: CHANNEL, text: 'later' });
    await expect(later).resolves.toMatchObject({ body: { text: 'later' } });
  });
});

describe('a real Bolt App over HTTP, driven by the signer', () => {
  let slack: FakeSlack;
  let app: App;
  let eventsUrl: string;
  const mentions: { text: string; retryNum: number | undefined }[] = [];

  beforeEach(async () => {
    mentions.length = 0;
    slack = await startFakeSlack();
    app = new App({ token: slack.botToken, signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
    app.event('app_mention', async ({ event, say, context }) => {
      mentions.push({ text: event.text, retryNum: context.retryNum });
      await say({ text: `looking into: ${event.text}`, thread_ts: event.ts });
    });
    app.command('/aiops', async ({ command, ack, respond }) => {
      await ack({ text: `working on ${command.text}` });
      await respond({ response_type: 'in_channel', text: `forecast for ${command.text}` });
    });
    app.action('approve', async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.container?.message_ts) return;
      await client.chat.update({ channel: String(body.container.channel_id), ts: String(body.container.message_ts), text: `approved by ${body.user.id}`, blocks: [] });
    });
    const server = await app.start(0);
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterEach(async () => {
    await app.stop();
    await slack.close();
  });

  it('runs the event listener for a signed event, whose reply lands in the thread', async () => {
    const delivery = await sendEvent(eventsUrl, SIGNING_SECRET, { type: 'app_mention', user: USER, channel: CHANNEL, text: '<@U0AIOPSBOT> why is checkout slow?', ts: '1700000000.000100' });
    expect(delivery.status).toBe(200);
    const reply = await slack.waitFor((call) => call.method === 'chat.postMessage' && call.body.thread_ts === '1700000000.000100');
    expect(reply.body.text).toBe('looking into: <@U0AIOPSBOT> why is checkout slow?');
    expect(slack.thread(CHANNEL, '1700000000.000100').map((message) => message.text)).toEqual([reply.body.text]);
    expect(slack.calls('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  it('passes X-Slack-Retry-Num through to the listener context', async () => {
    await sendEvent(eventsUrl, SIGNING_SECRET, { type: 'app_mention', user: USER, channel: CHANNEL, text: 'again', ts: '1700000000.000200' }, { eventId: 'Ev0RETRY', retryNum: 2 });
    await slack.waitFor('chat.postMessage');
    expect(mentions).toEqual([{ text: 'again', retryNum: 2 }]);
  });

  it('refuses a bad signature and a stale timestamp with 401 and runs no listener', async () => {
    const event = { type: 'app_mention', user: USER, channel: CHANNEL, text: 'forged', ts: '1700000000.000300' };
    expect((await sendEvent(eventsUrl, SIGNING_SECRET, event, { badSignature: true })).status).toBe(401);
    expect((await sendEvent(eventsUrl, SIGNING_SECRET, event, { staleTimestamp: true })).status).toBe(401);
    expect((await sendEvent(eventsUrl, 'another-apps-secret', event)).status).toBe(401);
    expect(mentions).toEqual([]);
    expect(slack.calls('chat.postMessage')).toEqual([]);
  });

  it('echoes the url_verification challenge', async () => {
    const delivery = await urlVerification(eventsUrl, SIGNING_SECRET, 'challenge-123');
    expect(delivery).toMatchObject({ status: 200, body: { challenge: 'challenge-123' } });
  });

  it('acks a form-encoded slash command with its reply and captures respond() at the response URL', async () => {
    const responseUrl = slack.responseUrl({ channel: CHANNEL });
    const delivery = await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'forecast order-service 24h', userId: USER, channelId: CHANNEL, responseUrl });
    expect(delivery).toMatchObject({ status: 200, body: { text: 'working on forecast order-service 24h' } });
    const responded = await slack.waitFor(RESPONSE_URL_CALL);
    expect(responded.body).toEqual({ response_type: 'in_channel', text: 'forecast for forecast order-service 24h' });
    expect(slack.messages(CHANNEL).map((message) => message.text)).toEqual(['forecast for forecast order-service 24h']);
  });

  it('delivers a button press as payload=<json> and the listener updates the message', async () => {
    const posted = await app.client.chat.postMessage({ channel: CHANNEL, text: 'scale order-service to 6?', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'scale?' } }] });
    const payload = blockActionPayload({ actionId: 'approve', value: 'action-1', userId: USER, channelId: CHANNEL, messageTs: posted.ts ?? '' });
    expect((await sendBlockAction(eventsUrl, SIGNING_SECRET, payload)).status).toBe(200);
    await slack.waitFor('chat.update');
    expect(slack.messages(CHANNEL)).toMatchObject([{ ts: posted.ts, text: `approved by ${USER}`, blocks: [], updateCount: 1 }]);
  });
});

describe('a real Bolt App in Socket Mode against the fake Socket Mode server', () => {
  let slack: FakeSlack;
  let socketMode: FakeSocketMode;
  let app: App | undefined;
  const commandTexts: string[] = [];

  beforeEach(async () => {
    commandTexts.length = 0;
    // Fast server pings so the heartbeat can be observed within the test.
    socketMode = await startFakeSocketMode({ pingIntervalMilliseconds: 200 });
    slack = await startFakeSlack({ socketMode });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    // The client closes its socket asynchronously after stop(); closing the fakes first would make it reconnect.
    await eventually(() => socketMode.openConnections === 0);
    await slack.close();
    await socketMode.close();
  });

  function socketApp(receiver?: SocketModeReceiver): App {
    const created = receiver
      ? new App({ token: slack.botToken, receiver, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR })
      : new App({ token: slack.botToken, socketMode: true, appToken: slack.appToken, clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
    created.event('app_mention', async ({ event, say }) => {
      await say({ text: `socket reply to ${event.text}`, thread_ts: event.ts });
    });
    created.command('/aiops', async ({ command, ack }) => {
      commandTexts.push(command.text);
      await ack({ text: `on it: ${command.text}` });
    });
    return created;
  }

  it('connects through apps.connections.open, and acks an events_api and a slash_commands envelope', async () => {
    app = socketApp();
    await app.start();
    await socketMode.connected;
    const opened = slack.calls('apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.headers.authorization).toBe(`Bearer ${slack.appToken}`);

    const event = eventCallbackBody({ type: 'app_mention', user: USER, channel: CHANNEL, text: 'status?', ts: '1700000001.000100' });
    const eventAck = await socketMode.sendEnvelope('events_api', event);
    expect(eventAck.payload).toEqual({});
    expect(eventAck.elapsedMilliseconds).toBeLessThan(3000);
    await slack.waitFor((call) => call.method === 'chat.postMessage' && call.body.text === 'socket reply to status?');

    const commandAck = await socketMode.sendEnvelope('slash_commands', slashCommandFields({ text: 'forecast cart 1h', userId: USER, channelId: CHANNEL }));
    expect(commandTexts).toEqual(['forecast cart 1h']);
    expect(commandAck.payload).toEqual({ text: 'on it: forecast cart 1h' });
    expect(socketMode.received).toContainEqual({ envelope_id: commandAck.envelopeId, payload: { text: 'on it: forecast cart 1h' } });
  });

  it('keeps the heartbeat: the client answers our pings and pings us', async () => {
    app = socketApp();
    await app.start();
    await eventually(() => socketMode.pongsReceived >= 2 && socketMode.clientPings >= 1, 5000);
    expect(socketMode.openConnections).toBe(1);
  });

  it('reconnects with a fresh URL after a disconnect message', async () => {
    // clientPingTimeout also sets the reconnect delay (default 5 s); keep it short here.
    const receiver = new SocketModeReceiver({ appToken: slack.appToken, clientPingTimeout: 500, installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } }, logLevel: LogLevel.ERROR });
    app = socketApp(receiver);
    await app.start();
    await socketMode.connected;
    socketMode.sendDisconnect('refresh_requested');
    await socketMode.waitForConnections(2, 10_000);
    expect(slack.calls('apps.connections.open')).toHaveLength(2);
    await eventually(() => socketMode.openConnections === 1);
    const ack = await socketMode.sendEnvelope('slash_commands', slashCommandFields({ text: 'after reconnect', userId: USER, channelId: CHANNEL }));
    expect(ack.payload).toEqual({ text: 'on it: after reconnect' });
  });

  it('refuses a connection whose URL was not issued by apps.connections.open', async () => {
    const refusal = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${socketMode.baseUrl}/link/?ticket=never-issued`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('connected without a ticket')));
      socket.on('error', () => undefined);
    });
    expect(refusal).toBe(401);
    await expect(socketMode.sendEnvelope('events_api', eventCallbackBody({ type: 'app_mention' }))).rejects.toThrow(/no client is connected/);
  });
});

async function eventually(condition: () => boolean, timeoutMilliseconds = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${timeoutMilliseconds} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
