import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SLACK_TEAM } from './slack-signer.js';
import { startFakeSocketMode, type FakeSocketMode } from './slack-socket-mode.js';
import { isRecord, readRaw } from './http-body.js';

/**
 * The part of Slack's Web API the bot uses, over real HTTP on 127.0.0.1, so @slack/web-api and
 * Bolt run unmodified against it (`slackApiUrl` = `apiUrl`). It parses bodies exactly as the
 * WebClient sends them (form fields, with objects such as `blocks` as JSON strings inside; JSON
 * bodies; multipart uploads), checks the bearer token, answers like Slack (HTTP 200 with
 * `ok: false` for errors, 429 with `Retry-After` for rate limits), records every call and keeps
 * the channel history so a test can read what a user would see.
 */

/** Pseudo-method under which the upload to `upload_url` is recorded (and can be failed). */
export const UPLOAD_CALL = 'upload';
/** Pseudo-method under which a POST to a `responseUrl(...)` (Bolt's `respond()`) is recorded. */
export const RESPONSE_URL_CALL = 'response_url';

export interface SlackIdentity {
  teamId: string;
  teamName: string;
  url: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
}

export interface SlackCall {
  method: string;
  /**
   * The arguments as Slack decodes them: form values stay strings (`'true'`, `'42'`) except the
   * structured ones the WebClient JSON-encodes (`blocks`, `attachments`, `view`, `files`, ...),
   * which arrive parsed; JSON bodies keep their types. Uploads: `{ fileId, bytes, contentType }`.
   */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Arrival time, ms since the epoch. */
  at: number;
  status: number;
  response: unknown;
  /** The path called: for a response URL, which one (`/response/R3`), so a test can tell whose answer it was. */
  path: string;
}

export interface SharedFile {
  id: string;
  name: string;
  title: string;
}

/** A message as channel members see it now: later `chat.update`s applied. */
export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  files?: SharedFile[];
  user: string;
  botId: string;
  /** How many times `chat.update` (or a response URL's replace_original) changed it. */
  updateCount: number;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  /** The `length` declared to `files.getUploadURLExternal`. */
  declaredLength: number;
  /** Bytes actually POSTed to the upload URL; undefined until then. */
  uploadedBytes?: number;
  /** The bytes themselves, so a test can decode what a user would see. */
  content?: Buffer;
  completed: boolean;
}

export type SlackFailure =
  | { status: number; retryAfterSeconds?: number; times?: number }
  | { error: string; times?: number };

export interface FakeSlackOptions {
  /** Default `xoxb-fake-bot-token`; any other bot token is `invalid_auth`. */
  botToken?: string;
  /** Default `xapp-1-fake-app-token`; the only token `apps.connections.open` accepts. */
  appToken?: string;
  identity?: Partial<SlackIdentity>;
  /** users.info answers, by user id; unknown `U…`/`W…` ids get a plain generated user. */
  users?: Record<string, Record<string, unknown>>;
  /**
   * usergroups.users.list answers, by user group id; unknown groups are `no_such_subteam`. Default
   * EXAMPLE_USER_GROUPS, the groups deploy/catalogue.example.yml names, so e2e users may act.
   */
  userGroups?: Record<string, string[]>;
  /** conversations.members answers, by channel (as the catalogue names it, `#shop-web`); a channel not listed has no members. */
  channelMembers?: Record<string, string[]>;
  /** true starts a Socket Mode fake; or pass one already started. Without it apps.connections.open fails. */
  socketMode?: boolean | FakeSocketMode;
}

/**
 * The user groups of deploy/catalogue.example.yml's teams and responders, with the users the e2e
 * tests act as: U0SRE and U0ALICE respond to everything, U0CAROL is in payments, U0DAVE and U0ERIN
 * in orders, U0BOB in web.
 */
export const EXAMPLE_USER_GROUPS: Record<string, string[]> = {
  S0SHOPSRE: ['U0SRE', 'U0ALICE'],
  S0SHOPWEB: ['U0BOB'],
  S0SHOPPAY: ['U0CAROL'],
  S0SHOPORD: ['U0DAVE', 'U0ERIN'],
  S0SHOPIDN: [],
  S0SHOPPLT: [],
};

export interface FakeSlack {
  /** `http://127.0.0.1:<port>/api/`, for `slackApiUrl` / SLACK_API_URL. */
  apiUrl: string;
  botToken: string;
  appToken: string;
  identity: SlackIdentity;
  socketMode: FakeSocketMode | undefined;
  /** Every call in arrival order, or those of one method. */
  calls(method?: string): SlackCall[];
  /** The first call (already arrived or arriving within the timeout) matching a method name or predicate. */
  waitFor(match: string | ((call: SlackCall) => boolean), timeoutMilliseconds?: number): Promise<SlackCall>;
  /** Messages in ts order, thread replies included, with updates applied. */
  messages(channel?: string): SlackMessage[];
  /** A thread as Slack shows it: the parent (when posted through this fake) then its replies. */
  thread(channel: string, threadTs: string): SlackMessage[];
  files(): UploadedFile[];
  /** The App Home view last published for a user. */
  homeView(userId: string): Record<string, unknown> | undefined;
  /** A response_url to hand to a command or action; what Bolt's respond() posts there is applied to `channel`. */
  responseUrl(target: { channel: string; messageTs?: string }): string;
  /** Queues a failure for the next call(s) of `method`, before any other check. */
  failNext(method: string, failure: SlackFailure): void;
  /**
   * Slack out until `restore()`: `unavailable` answers every request (API, uploads, response URLs)
   * with HTTP 503 and changes nothing, as Slack's edge does in an outage (those calls are recorded,
   * with status 503); `refused` stops listening, so every connection is refused (ECONNREFUSED) and
   * open ones are closed; nothing is recorded. Switching from one to the other is allowed.
   */
  outage(mode: SlackOutage): Promise<void>;
  /** Slack back after `outage()`: listening again on the same port, answering as usual. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** How Slack is out (see FakeSlack.outage). */
export type SlackOutage = 'unavailable' | 'refused';

type Fields = Record<string, unknown>;
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

// Arguments the WebClient JSON-encodes into form fields (anything that is not a string, number or boolean).
const JSON_ARGUMENTS = new Set(['blocks', 'attachments', 'metadata', 'view', 'files', 'unfurls', 'user_auth_blocks', 'elements']);
const MAX_BLOCKS = 50;
const MAX_TEXT_LENGTH = 40_000;

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const appToken = options.appToken ?? 'xapp-1-fake-app-token';
  const identity: SlackIdentity = {
    teamId: SLACK_TEAM.teamId,
    teamName: 'AIOps Test',
    url: `https://${SLACK_TEAM.teamDomain}.slack.com/`,
    botUserId: SLACK_TEAM.botUserId,
    botId: 'B0AIOPSBOT',
    botName: 'aiops',
    appId: SLACK_TEAM.apiAppId,
    ...options.identity,
  };
  const socketMode = options.socketMode === true ? await startFakeSocketMode({ appId: identity.appId }) : options.socketMode || undefined;
  const ownsSocketMode = options.socketMode === true;

  const userGroups = options.userGroups ?? EXAMPLE_USER_GROUPS;
  const recorded: SlackCall[] = [];
  const waiters: { test(call: SlackCall): boolean; resolve(call: SlackCall): void; reject(error: Error): void; timer: NodeJS.Timeout }[] = [];
  const failures = new Map<string, SlackFailure[]>();
  const messages = new Map<string, SlackMessage>();
  const files = new Map<string, UploadedFile>();
  const homeViews = new Map<string, Record<string, unknown>>();
  const responseTargets = new Map<string, { channel: string; messageTs?: string }>();
  const counters = { lastTsMicros: 0, files: 0, views: 0, responseUrls: 0 };
  let outage: SlackOutage | undefined;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`fake Slack failed: ${String(error)}`);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const raw = await readRaw(request);
    const path = new URL(request.url ?? '/', origin).pathname;
    const contentType = request.headers['content-type'];
    const parsed = await parseBody(raw, contentType);
    const [, area, name] = /^\/(api|upload\/v1|response)\/([^/]+)$/.exec(path) ?? [];
    const method = area === 'api' ? (name ?? '') : area === 'upload/v1' ? UPLOAD_CALL : area === 'response' ? RESPONSE_URL_CALL : path;
    const body = area === 'upload/v1' ? { fileId: name, bytes: parsed.uploadedBytes, contentType } : parsed.fields;
    const answer = outage ? { status: 503, body: 'Service Unavailable' } : route(method, area, name ?? '', request.headers, parsed);
    // Recorded before answering, so a client that has its answer always finds the call recorded.
    record({ method, body, headers: request.headers, at, status: answer.status, response: answer.body, path });
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      'Content-Type': typeof answer.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
      ...answer.headers,
    });
    response.end(text);
  }

  function route(method: string, area: string | undefined, name: string, headers: IncomingHttpHeaders, parsed: ParsedBody): Answer {
    const failure = takeFailure(method);
    if (failure) return failure;
    if (parsed.problem) return ok(false, { error: parsed.problem });
    switch (area) {
      case 'api':
        return apiAnswer(method, headers, parsed.fields, parsed.encoding);
      case 'upload/v1':
        return uploadAnswer(name, parsed.uploadedBytes, parsed.content);
      case 'response':
        return responseUrlAnswer(name, parsed.fields);
      default:
        return { status: 404, body: { ok: false, error: 'not_found' } };
    }
  }

  function record(call: SlackCall): void {
    recorded.push(call);
    for (const waiter of waiters.filter((candidate) => matches(candidate.test, call))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      waiter.resolve(call);
    }
  }

  function takeFailure(method: string): Answer | undefined {
    const queue = failures.get(method);
    const failure = queue?.[0];
    if (!queue || !failure) return undefined;
    const remaining = (failure.times ?? 1) - 1;
    if (remaining > 0) queue[0] = { ...failure, times: remaining };
    else queue.shift();
    if ('error' in failure) return ok(false, { error: failure.error });
    if (failure.status === 429) {
      return { status: 429, headers: { 'Retry-After': String(failure.retryAfterSeconds ?? 1) }, body: { ok: false, error: 'ratelimited' } };
    }
    return { status: failure.status, body: { ok: false, error: 'internal_error' } };
  }

  function apiAnswer(method: string, headers: IncomingHttpHeaders, fields: Fields, encoding: BodyEncoding): Answer {
    // Slack reads the token from the Authorization header, or from a `token` field of a form body (never of a JSON one).
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const token = bearer ?? (encoding === 'form' || encoding === 'multipart' ? stringField(fields.token) : undefined);
    const wantsAppToken = method === 'apps.connections.open';
    const expected = wantsAppToken ? appToken : botToken;
    if (!token) return ok(false, { error: 'not_authed' });
    if (token !== expected) {
      const otherKind = token === (wantsAppToken ? botToken : appToken) || token.startsWith(wantsAppToken ? 'xox' : 'xapp-');
      return ok(false, { error: otherKind ? 'not_allowed_token_type' : 'invalid_auth' });
    }
    const handler = handlers[method];
    return handler ? handler(fields) : ok(false, { error: 'unknown_method', req_method: method });
  }

  const handlers: Record<string, (fields: Fields) => Answer> = {
    'auth.test': () =>
      ok(true, {
        url: identity.url,
        team: identity.teamName,
        user: identity.botName,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        bot_id: identity.botId,
        is_enterprise_install: false,
      }),
    'chat.postMessage': (fields) => {
      const channel = conversationOf(stringField(fields.channel));
      if (!channel) return ok(false, { error: 'channel_not_found' });
      const problem = contentProblem(fields, true);
      if (problem) return ok(false, { error: problem });
      const message = postAsBot(channel, fields);
      return ok(true, { channel, ts: message.ts, message: wireMessage(message) });
    },
    'chat.update': (fields) => {
      const channel = conversationOf(stringField(fields.channel));
      if (!channel) return ok(false, { error: 'channel_not_found' });
      const message = messages.get(keyOf(channel, stringField(fields.ts) ?? ''));
      if (!message) return ok(false, { error: 'message_not_found' });
      const problem = contentProblem(fields, false);
      if (problem) return ok(false, { error: problem });
      applyUpdate(message, fields);
      return ok(true, { channel, ts: message.ts, text: message.text, message: wireMessage(message) });
    },
    'chat.postEphemeral': (fields) => {
      if (!conversationOf(stringField(fields.channel))) return ok(false, { error: 'channel_not_found' });
      if (!stringField(fields.user)) return ok(false, { error: 'user_not_found' });
      const problem = contentProblem(fields, true);
      return problem ? ok(false, { error: problem }) : ok(true, { message_ts: nextTs() });
    },
    'views.publish': (fields) => {
      const userId = stringField(fields.user_id);
      const view = fields.view;
      if (!userId || !isRecord(view) || view.type !== 'home') return ok(false, { error: 'invalid_arguments' });
      if (blocksProblem(view.blocks, 100)) return ok(false, { error: 'invalid_blocks' });
      counters.views += 1;
      const published = { id: `V${String(counters.views).padStart(9, '0')}`, team_id: identity.teamId, state: { values: {} }, hash: `${Date.now()}.hash`, app_id: identity.appId, bot_id: identity.botId, ...view };
      homeViews.set(userId, published);
      return ok(true, { view: published });
    },
    'conversations.open': (fields) => {
      const users = stringField(fields.users);
      const channel = stringField(fields.channel);
      if (!users && !channel) return ok(false, { error: 'users_list_not_supplied' });
      return ok(true, { no_op: false, already_open: false, channel: { id: channel ?? directMessageChannel(users ?? '') } });
    },
    // Channels are known by what they were posted to: in this fake a channel's name (`#orders`) is also its id.
    'conversations.list': () => {
      const known = [...new Set([...[...messages.values()].map((message) => message.channel), ...Object.keys(options.channelMembers ?? {})])].filter((channel) => channel.startsWith('#') || /^[CG]/.test(channel));
      return ok(true, { channels: known.map((channel) => ({ id: channel, name: channel.replace(/^#/, ''), is_archived: false })), response_metadata: { next_cursor: '' } });
    },
    'conversations.history': (fields) => {
      const channel = conversationOf(stringField(fields.channel));
      if (!channel) return ok(false, { error: 'channel_not_found' });
      const oldest = Number(stringField(fields.oldest) ?? '0');
      const withMetadata = stringField(fields.include_all_metadata) === 'true';
      // Newest first, top-level messages only, as Slack answers; metadata only when asked for.
      const history = [...messages.values()]
        .filter((message) => message.channel === channel && message.threadTs === undefined && Number(message.ts) >= oldest)
        .sort((left, right) => Number(right.ts) - Number(left.ts))
        .slice(0, Number(stringField(fields.limit) ?? '100'))
        .map((message) => listedMessage(message, withMetadata));
      return ok(true, { messages: history, has_more: false, response_metadata: { next_cursor: '' } });
    },
    'conversations.replies': (fields) => {
      const channel = conversationOf(stringField(fields.channel));
      const ts = stringField(fields.ts);
      if (!channel || !ts) return ok(false, { error: channel ? 'thread_not_found' : 'channel_not_found' });
      const oldest = Number(stringField(fields.oldest) ?? '0');
      const withMetadata = stringField(fields.include_all_metadata) === 'true';
      // The parent first, then its replies oldest first, as Slack answers; metadata only when asked for.
      const thread = [...messages.values()]
        .filter((message) => message.channel === channel && (message.ts === ts || (message.threadTs === ts && Number(message.ts) >= oldest)))
        .sort((left, right) => Number(left.ts) - Number(right.ts))
        .slice(0, Number(stringField(fields.limit) ?? '1000'))
        .map((message) => listedMessage(message, withMetadata));
      if (thread.length === 0) return ok(false, { error: 'thread_not_found' });
      return ok(true, { messages: thread, has_more: false, response_metadata: { next_cursor: '' } });
    },
    'usergroups.users.list': (fields) => {
      const group = stringField(fields.usergroup) ?? '';
      const members = userGroups[group];
      return members ? ok(true, { users: members }) : ok(false, { error: 'no_such_subteam' });
    },
    'conversations.members': (fields) => {
      const channel = conversationOf(stringField(fields.channel));
      if (!channel) return ok(false, { error: 'channel_not_found' });
      const members = options.channelMembers?.[channel] ?? [];
      return ok(true, { members, response_metadata: { next_cursor: '' } });
    },
    'users.info': (fields) => {
      const userId = stringField(fields.user) ?? '';
      const user = userRecord(userId);
      return user ? ok(true, { user }) : ok(false, { error: 'user_not_found' });
    },
    'files.getUploadURLExternal': (fields) => {
      const filename = stringField(fields.filename);
      const length = Number(fields.length);
      if (!filename || !Number.isInteger(length) || length <= 0) return ok(false, { error: 'invalid_arguments' });
      counters.files += 1;
      const id = `F${String(counters.files).padStart(9, '0')}`;
      files.set(id, { id, filename, declaredLength: length, completed: false });
      return ok(true, { upload_url: `${origin}/upload/v1/${id}`, file_id: id });
    },
    'files.completeUploadExternal': (fields) => {
      const requested = fields.files;
      if (!Array.isArray(requested) || requested.length === 0) return ok(false, { error: 'invalid_arguments' });
      const completed: UploadedFile[] = [];
      for (const entry of requested) {
        const file = isRecord(entry) ? files.get(String(entry.id)) : undefined;
        // Slack only completes files whose bytes arrived at their upload URL.
        if (!file || file.uploadedBytes === undefined) return ok(false, { error: 'file_not_found' });
        file.title = stringField(isRecord(entry) ? entry.title : undefined) ?? file.filename;
        file.completed = true;
        completed.push(file);
      }
      const channel = conversationOf(stringField(fields.channel_id) ?? stringField(fields.channels));
      const shared = completed.map((file) => ({ id: file.id, name: file.filename, title: file.title ?? file.filename }));
      if (channel) {
        const message: SlackMessage = {
          channel,
          ts: nextTs(),
          ...optional('threadTs', stringField(fields.thread_ts)),
          text: stringField(fields.initial_comment) ?? '',
          ...content(fields),
          files: shared,
          user: identity.botUserId,
          botId: identity.botId,
          updateCount: 0,
        };
        messages.set(keyOf(channel, message.ts), message);
      }
      return ok(true, { files: completed.map((file) => ({ id: file.id, name: file.filename, title: file.title, size: file.uploadedBytes, user: identity.botUserId })) });
    },
    'apps.connections.open': () => {
      if (!socketMode) {
        // An unrecoverable code for @slack/socket-mode, so a misconfigured test fails at once instead of retrying 100 times.
        return ok(false, { error: 'invalid_auth', response_metadata: { messages: ['[ERROR] this fake Slack was started without socketMode'] } });
      }
      return ok(true, { url: socketMode.issueConnectionUrl() });
    },
  };

  function uploadAnswer(fileId: string, bytes: number | undefined, content: Buffer | undefined): Answer {
    const file = files.get(fileId);
    if (!file) return { status: 404, body: 'Not Found' };
    file.uploadedBytes = bytes ?? 0;
    if (content) file.content = content;
    return { status: 200, body: `OK - ${file.uploadedBytes}` };
  }

  function responseUrlAnswer(id: string, fields: Fields): Answer {
    const target = responseTargets.get(id);
    if (!target) return { status: 404, body: { ok: false, error: 'expired_url' } };
    const original = target.messageTs === undefined ? undefined : messages.get(keyOf(target.channel, target.messageTs));
    if (isTrue(fields.delete_original) && original) messages.delete(keyOf(original.channel, original.ts));
    else if (isTrue(fields.replace_original) && original) applyUpdate(original, fields);
    else if (fields.response_type === 'in_channel') {
      postAsBot(target.channel, fields);
    }
    // Anything else is ephemeral: only the requesting user sees it, so it joins no channel history.
    return { status: 200, body: { ok: true } };
  }

  /** A new message from the bot in the channel's history, as chat.postMessage or an in-channel response posts it. */
  function postAsBot(channel: string, fields: Fields): SlackMessage {
    const message: SlackMessage = {
      channel,
      ts: nextTs(),
      ...optional('threadTs', stringField(fields.thread_ts)),
      text: stringField(fields.text) ?? '',
      ...content(fields),
      user: identity.botUserId,
      botId: identity.botId,
      updateCount: 0,
    };
    messages.set(keyOf(channel, message.ts), message);
    return message;
  }

  function applyUpdate(message: SlackMessage, fields: Fields): void {
    // As in Slack, fields left out of an update keep their previous values.
    const text = stringField(fields.text);
    if (text !== undefined) message.text = text;
    Object.assign(message, content(fields));
    message.updateCount += 1;
  }

  function wireMessage(message: SlackMessage): Record<string, unknown> {
    return {
      type: 'message',
      text: message.text,
      user: message.user,
      bot_id: message.botId,
      app_id: identity.appId,
      team: identity.teamId,
      ts: message.ts,
      ...optional('thread_ts', message.threadTs),
      ...optional('blocks', message.blocks),
      ...optional('attachments', message.attachments),
      ...optional('metadata', message.metadata),
      ...(message.updateCount > 0 ? { edited: { user: message.user, ts: message.ts } } : {}),
    };
  }

  /** A message as history and replies list it: its metadata only when asked for, as Slack answers. */
  function listedMessage(message: SlackMessage, withMetadata: boolean): Record<string, unknown> {
    const wire = wireMessage(message);
    if (!withMetadata) delete wire.metadata;
    return wire;
  }

  function userRecord(userId: string): Record<string, unknown> | undefined {
    const configured = options.users?.[userId];
    if (!configured && !/^[UW][A-Z0-9]+$/.test(userId)) return undefined;
    const name = userId === identity.botUserId ? identity.botName : userId.toLowerCase();
    return {
      id: userId,
      team_id: identity.teamId,
      name,
      real_name: name,
      deleted: false,
      is_admin: false,
      is_bot: userId === identity.botUserId,
      tz: 'Etc/UTC',
      tz_offset: 0,
      profile: { real_name: name, display_name: name, email: `${name}@example.com` },
      ...configured,
    };
  }

  function nextTs(): string {
    // Slack ts: seconds.microseconds, unique and increasing within a channel (here across all channels).
    counters.lastTsMicros = Math.max(Date.now() * 1000, counters.lastTsMicros + 1);
    return `${Math.floor(counters.lastTsMicros / 1_000_000)}.${String(counters.lastTsMicros % 1_000_000).padStart(6, '0')}`;
  }

  function ordered(list: SlackMessage[]): SlackMessage[] {
    return structuredClone(list).sort((first, second) => (first.ts < second.ts ? -1 : first.ts > second.ts ? 1 : 0));
  }

  // Listen only once every handler above exists; `origin` is read by the handlers at request time.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  /** After a refusing outage: the same port again, so the clients' URLs stay valid. */
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  return {
    apiUrl: `${origin}/api/`,
    botToken,
    appToken,
    identity,
    socketMode,
    calls: (method) => (method === undefined ? [...recorded] : recorded.filter((call) => call.method === method)),
    waitFor(match, timeoutMilliseconds = 5000) {
      const test = typeof match === 'string' ? (call: SlackCall) => call.method === match : match;
      const already = recorded.find((call) => matches(test, call));
      if (already) return Promise.resolve(already);
      return new Promise<SlackCall>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          const wanted = typeof match === 'string' ? match : match.toString().slice(0, 200);
          reject(new Error(`Fake Slack: no call matching ${wanted} within ${timeoutMilliseconds} ms. ${describeCalls(recorded)}`));
        }, timeoutMilliseconds);
        const waiter = { test, resolve, reject, timer };
        waiters.push(waiter);
      });
    },
    messages: (channel) => ordered([...messages.values()].filter((message) => channel === undefined || message.channel === channel)),
    thread: (channel, threadTs) =>
      ordered([...messages.values()].filter((message) => message.channel === channel && (message.ts === threadTs || message.threadTs === threadTs))),
    files: () => [...files.values()].map((file) => ({ ...file, ...(file.content ? { content: Buffer.from(file.content) } : {}) })),
    homeView: (userId) => structuredClone(homeViews.get(userId)),
    responseUrl(target) {
      counters.responseUrls += 1;
      const id = `R${counters.responseUrls}`;
      responseTargets.set(id, target);
      return `${origin}/response/${id}`;
    },
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    async outage(mode) {
      const wasListening = outage !== 'refused';
      outage = mode;
      if (mode === 'refused' && wasListening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      if (mode === 'unavailable' && !wasListening) await listen();
    },
    async restore() {
      const wasListening = outage !== 'refused';
      outage = undefined;
      if (!wasListening) await listen();
    },
    async close() {
      for (const waiter of waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`Fake Slack closed while waiting. ${describeCalls(recorded)}`));
      }
      if (ownsSocketMode) await socketMode?.close();
      if (outage === 'refused') return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type BodyEncoding = 'form' | 'json' | 'multipart' | 'raw' | 'empty';
interface ParsedBody {
  fields: Fields;
  encoding: BodyEncoding;
  /** Bytes of the file part of a multipart body, or of a raw body. */
  uploadedBytes?: number;
  content?: Buffer;
  /** A Slack error code when the body cannot be read as its content type says. */
  problem?: string;
}

async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return { fields: {}, encoding: 'empty' };
  if (mediaType === 'application/x-www-form-urlencoded') {
    const fields: Fields = {};
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) fields[key] = JSON_ARGUMENTS.has(key) ? parseJsonOrKeep(value) : value;
    return { fields, encoding: 'form' };
  }
  if (mediaType === 'application/json') {
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      return isRecord(parsed) ? { fields: parsed, encoding: 'json' } : { fields: {}, encoding: 'json', problem: 'invalid_json' };
    } catch {
      return { fields: {}, encoding: 'json', problem: 'invalid_json' };
    }
  }
  if (mediaType === 'multipart/form-data') {
    // fetch's own multipart parser reads what fetch's FormData wrote (the WebClient's uploads).
    const form = await new Response(raw, { headers: { 'content-type': contentType ?? '' } }).formData();
    const fields: Fields = {};
    let uploadedBytes: number | undefined;
    let content: Buffer | undefined;
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') {
        fields[key] = JSON_ARGUMENTS.has(key) ? parseJsonOrKeep(value) : value;
      } else {
        fields[key] = { filename: value.name, bytes: value.size };
        uploadedBytes = (uploadedBytes ?? 0) + value.size;
        content = Buffer.from(await value.arrayBuffer());
      }
    }
    return { fields, encoding: 'multipart', uploadedBytes: uploadedBytes ?? Buffer.byteLength(String(fields.file ?? fields.body ?? '')), ...(content ? { content } : {}) };
  }
  return { fields: {}, encoding: 'raw', uploadedBytes: raw.length, content: raw };
}

function contentProblem(fields: Fields, contentRequired: boolean): string | undefined {
  if ('blocks' in fields && blocksProblem(fields.blocks, MAX_BLOCKS)) return 'invalid_blocks';
  if ('attachments' in fields && !Array.isArray(fields.attachments)) return 'invalid_attachments';
  const text = stringField(fields.text) ?? '';
  if (text.length > MAX_TEXT_LENGTH) return 'msg_too_long';
  if (contentRequired && text === '' && !Array.isArray(fields.blocks) && !Array.isArray(fields.attachments)) return 'no_text';
  return undefined;
}

function blocksProblem(blocks: unknown, maximum: number): boolean {
  if (!Array.isArray(blocks) || blocks.length > maximum) return true;
  return blocks.some((block) => !isRecord(block) || typeof block.type !== 'string');
}

function content(fields: Fields): Partial<SlackMessage> {
  return {
    ...optional('blocks', Array.isArray(fields.blocks) ? fields.blocks : undefined),
    ...optional('attachments', Array.isArray(fields.attachments) ? fields.attachments : undefined),
    ...optional('metadata', fields.metadata),
  };
}

/** Posting to a user id posts into the bot's DM with that user, as Slack does. */
function conversationOf(channel: string | undefined): string | undefined {
  if (!channel) return undefined;
  return /^[UW][A-Z0-9]+$/.test(channel) ? directMessageChannel(channel) : channel;
}

function directMessageChannel(users: string): string {
  const key = users.split(',').map((user) => user.trim()).sort().join(',');
  return `D${createHash('sha256').update(key).digest('hex').slice(0, 10).toUpperCase()}`;
}

function keyOf(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

/** A predicate that throws (say, reading a field a call lacks) does not match, rather than breaking the server. */
function matches(test: (call: SlackCall) => boolean, call: SlackCall): boolean {
  try {
    return test(call);
  } catch {
    return false;
  }
}

function describeCalls(calls: SlackCall[]): string {
  if (calls.length === 0) return 'No calls arrived.';
  const lines = calls.map((call) => {
    const { token: _token, ...body } = call.body;
    const answer = isRecord(call.response) ? (call.response.ok === true ? 'ok' : String(call.response.error)) : String(call.status);
    return `  ${call.method} ${JSON.stringify(body).slice(0, 160)} -> ${answer}`;
  });
  return `Calls that arrived (${calls.length}):\n${lines.join('\n')}`;
}

function ok(success: boolean, rest: Record<string, unknown>): Answer {
  return { status: 200, body: { ok: success, ...rest } };
}

function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
