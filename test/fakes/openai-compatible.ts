import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord, readRaw } from './http-body.js';

/**
 * An OpenAI-compatible chat-completions endpoint over real HTTP on 127.0.0.1 that plays a script,
 * so the real `openai` client and LangChain's ChatOpenAI run unmodified against it (`baseURL` =
 * `baseUrl`). Each `POST /v1/chat/completions` (or `/chat/completions`) takes the next script
 * step: a text answer, tool calls, an HTTP error, or a hang. Streaming (`stream: true`, SSE with
 * tool-call deltas and a final usage chunk) and plain JSON answers are both spoken. Every request
 * is recorded so a test can read what the model was shown and which tools it was offered.
 */

export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (so a test can send malformed JSON). */
  arguments: Record<string, unknown> | string;
  /** Default `call_<n>`, unique across the fake's life. */
  id?: string;
}

interface StepTiming {
  /** Wait this long before answering (before the first byte when streaming). */
  delayMilliseconds?: number;
}

export type ScriptStep =
  | ({ text: string } & StepTiming)
  | ({ tool_calls: FakeToolCall[]; /** Text sent beside the calls (some models think aloud). */ text?: string } & StepTiming)
  | ({ status: number; /** The error's message; default names the status. */ error?: string } & StepTiming)
  | { hang: true };

/** What the fake decides from the request; undefined means the script ran out (HTTP 500). */
export type ScriptFunction = (request: RecordedChatRequest, callIndex: number) => ScriptStep | undefined | Promise<ScriptStep | undefined>;

export type ScriptEntry = ScriptStep | ScriptFunction;

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  name?: string;
}

export interface RecordedChatRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, exactly as sent. */
  body: Record<string, unknown>;
  model: string | undefined;
  messages: ChatMessage[];
  /** Names of the tools offered (empty when none). */
  toolNames: string[];
  tools: Array<{ type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  toolChoice: unknown;
  stream: boolean;
  /** The tool results in this request, in order: what the model reads back. */
  toolMessages: Array<{ toolCallId: string; content: string }>;
  /** The system prompt's text, when there is one. */
  systemPrompt: string | undefined;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** HTTP status answered; undefined while hanging or delayed. */
  status?: number;
}

export interface FakeOpenAiOptions {
  /** Steps played in order, or one function deciding every answer. */
  script?: ScriptEntry[] | ScriptFunction;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** The model id `GET /v1/models` lists and answers carry; default `fake-gpt`. */
  model?: string;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:<port>/v1`, for `configuration.baseURL` / OPENAI_BASE_URL. */
  baseUrl: string;
  /** Chat-completion requests in arrival order. */
  requests(): RecordedChatRequest[];
  lastRequest(): RecordedChatRequest | undefined;
  /** Appends steps to an array script. */
  push(...steps: ScriptEntry[]): void;
  /** Steps of an array script not yet played. */
  remaining(): number;
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'fake-gpt';

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const model = options.model ?? DEFAULT_MODEL;
  const scriptFunction = typeof options.script === 'function' ? options.script : undefined;
  const steps: ScriptEntry[] = Array.isArray(options.script) ? [...options.script] : [];
  const recorded: RecordedChatRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let callCount = 0;
  let toolCallCount = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(`Fake OpenAI: ${error instanceof Error ? error.message : String(error)}`, 'server_error'));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname.replace(/\/+$/, '');
    const raw = await readRaw(request);
    if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(response, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    if (request.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(response, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1_700_000_000, owned_by: 'fake' }] });
    }
    if (request.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      return sendJson(response, 404, errorBody(`Fake OpenAI: no route ${request.method} ${path}`, 'invalid_request_error'));
    }
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (!isRecord(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      return sendJson(response, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'));
    }
    const entry = recordRequest(path, request.headers, body);
    const callIndex = callCount++;
    const scripted = scriptFunction ?? steps.shift();
    const step = typeof scripted === 'function' ? await scripted(structuredClone(entry), callIndex) : scripted;
    if (step === undefined) {
      entry.status = 500;
      return sendJson(response, 500, errorBody(`Fake OpenAI: the script ran out at call ${callIndex + 1} (${recorded.length} requests arrived).`, 'server_error'));
    }
    if ('hang' in step) return; // Never answers; close() drops the connection.
    if (step.delayMilliseconds) await sleep(step.delayMilliseconds);
    if (response.destroyed) return;
    if ('status' in step) {
      entry.status = step.status;
      return sendJson(response, step.status, errorBody(step.error ?? `Fake OpenAI: scripted HTTP ${step.status}`, step.status >= 500 ? 'server_error' : 'invalid_request_error'));
    }
    entry.status = 200;
    const toolCalls = 'tool_calls' in step ? step.tool_calls.map((call) => wireToolCall(call)) : [];
    const text = step.text ?? '';
    const usage = usageOf(body, text, toolCalls);
    const id = `chatcmpl-fake-${callIndex + 1}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream === true) {
      const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
      return sendStream(response, { id, created, model: String(body.model ?? model), text, toolCalls, usage: includeUsage ? usage : undefined });
    }
    return sendJson(response, 200, {
      id,
      object: 'chat.completion',
      created,
      model: String(body.model ?? model),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: toolCalls.length > 0 && text === '' ? null : text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
          logprobs: null,
          finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
      usage,
      system_fingerprint: 'fp_fake',
    });
  }

  function recordRequest(path: string, headers: IncomingHttpHeaders, body: Record<string, unknown>): RecordedChatRequest {
    const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
    const tools = Array.isArray(body.tools) ? (body.tools as RecordedChatRequest['tools']) : [];
    const system = messages.find((message) => message.role === 'system' || message.role === 'developer');
    const entry: RecordedChatRequest = {
      path,
      headers,
      body,
      model: typeof body.model === 'string' ? body.model : undefined,
      messages,
      toolNames: tools.map((tool) => tool.function?.name).filter((name): name is string => typeof name === 'string'),
      tools,
      toolChoice: body.tool_choice,
      stream: body.stream === true,
      toolMessages: messages
        .filter((message) => message.role === 'tool')
        .map((message) => ({ toolCallId: String(message.tool_call_id ?? ''), content: contentText(message.content) })),
      systemPrompt: system === undefined ? undefined : contentText(system.content),
      at: Date.now(),
    };
    recorded.push(entry);
    return entry;
  }

  function wireToolCall(call: FakeToolCall): WireToolCall {
    toolCallCount += 1;
    return {
      id: call.id ?? `call_${toolCallCount}`,
      type: 'function',
      function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
    };
  }

  function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/v1`,
    requests: () => [...recorded],
    lastRequest: () => recorded.at(-1),
    push(...more) {
      if (scriptFunction) throw new Error('Fake OpenAI: push() needs an array script');
      steps.push(...more);
    },
    remaining: () => steps.length,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Realistic enough: about four characters a token, as for English text with OpenAI's tokenisers. */
function usageOf(body: Record<string, unknown>, text: string, toolCalls: WireToolCall[]): Usage {
  const promptCharacters = JSON.stringify(body.messages ?? []).length + JSON.stringify(body.tools ?? []).length;
  const completionCharacters = text.length + toolCalls.reduce((sum, call) => sum + call.function.name.length + call.function.arguments.length, 0);
  const prompt = Math.max(1, Math.ceil(promptCharacters / 4));
  const completion = Math.max(1, Math.ceil(completionCharacters / 4));
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

interface StreamAnswer {
  id: string;
  created: number;
  model: string;
  text: string;
  toolCalls: WireToolCall[];
  usage: Usage | undefined;
}

/** Server-sent events as OpenAI streams them: role, content pieces, tool-call deltas, finish, usage, [DONE]. */
function sendStream(response: ServerResponse, answer: StreamAnswer): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    response.write(`data: ${JSON.stringify({ id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`);
  const delta = (value: Record<string, unknown>, finishReason: string | null = null) => chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
  delta({ role: 'assistant', content: answer.toolCalls.length > 0 && answer.text === '' ? null : '' });
  for (const piece of pieces(answer.text, 16)) delta({ content: piece });
  answer.toolCalls.forEach((call, index) => {
    delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    for (const piece of pieces(call.function.arguments, 12)) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  delta({}, answer.toolCalls.length > 0 ? 'tool_calls' : 'stop');
  if (answer.usage) chunk([], { usage: answer.usage });
  response.end('data: [DONE]\n\n');
}

function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}

function errorBody(message: string, type: string, code: string | null = null): Record<string, unknown> {
  return { error: { message, type, param: null, code } };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Message content as text: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}
