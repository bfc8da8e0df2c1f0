import { ChatOpenAI } from '@langchain/openai';
import type { LlmConfig } from '../config.js';
import { definedOnly } from '../defined-only.js';
import { redactSecretsDeep } from '../redact-secrets.js';
import type { ModelCall } from '../telemetry/metrics.js';

export interface ChatModelOptions {
  /** Limit for one HTTP request to the model, in ms. Default 30 000. */
  timeoutMilliseconds?: number;
  /** Retries of a failed request (429, 5xx, network), with backoff. Default 2; LangChain's own default (6) outlasts a chat reply. */
  maxRetries?: number;
  /** Told of every HTTP request to the model, retries included: for the bot's own metrics. */
  onCall?: (call: ModelCall) => void;
}

const DEFAULT_OPTIONS = { timeoutMilliseconds: 30_000, maxRetries: 2 };

/**
 * Local endpoints (Ollama, vLLM, LM Studio) need no key, but the openai client refuses to start
 * without one; they ignore whatever is sent.
 */
export const PLACEHOLDER_API_KEY = 'no-key-needed';

/**
 * The chat model for the agent: LangChain's ChatOpenAI on the chat-completions API, pointed at
 * `baseUrl` when set (OpenAI, Azure-compatible gateways, Ollama and vLLM all speak it).
 * Deterministic (temperature 0) where the model accepts a temperature, and not streamed.
 */
export function createChatModel(config: LlmConfig, options: ChatModelOptions = {}): ChatOpenAI {
  const settings = { ...DEFAULT_OPTIONS, ...definedOnly(options) };
  return new ChatOpenAI({
    model: config.model,
    apiKey: config.apiKey ?? PLACEHOLDER_API_KEY,
    // Reasoning models (o1, o3, gpt-5…) reject any temperature but the default.
    ...(acceptsTemperature(config.model) ? { temperature: 0 } : {}),
    streaming: false,
    timeout: settings.timeoutMilliseconds,
    maxRetries: settings.maxRetries,
    // Chat completions, never the Responses API: it is what every compatible endpoint speaks.
    useResponsesApi: false,
    // Every request leaves through this fetch: the one place where all messages (system, question,
    // history, tool results, tool-call arguments) are redacted, whoever built them.
    configuration: { ...(config.baseUrl === undefined ? {} : { baseURL: config.baseUrl }), fetch: redactingModelFetch(settings.onCall ? measuredModelFetch(settings.onCall) : globalThis.fetch) },
  });
}

type ModelFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The `fetch` of the model's client, redacting the `messages` of every JSON request body before it
 * is sent; anything else (the model's name, the tools' schemas, headers) goes as it was.
 */
function redactingModelFetch(fetchImplementation: ModelFetch = globalThis.fetch): ModelFetch {
  return (input, init) => fetchImplementation(input, init && typeof init.body === 'string' ? { ...init, body: redactRequestBody(init.body) } : init);
}

/** A chat-completions body with its messages redacted; a body that is not JSON is sent as it was (it holds no messages). */
function redactRequestBody(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (parsed === null || typeof parsed !== 'object' || !('messages' in parsed)) return body;
  return JSON.stringify({ ...parsed, messages: redactSecretsDeep(parsed.messages) });
}

/** The `fetch` under the redaction, timing each request and reading the tokens it used from a copy of the answer. */
function measuredModelFetch(onCall: (call: ModelCall) => void, fetchImplementation: ModelFetch = globalThis.fetch): ModelFetch {
  return async (input, init) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let response: Response;
    try {
      response = await fetchImplementation(input, init);
    } catch (error) {
      onCall({ outcome: 'network_error', seconds: seconds() });
      throw error;
    }
    if (!response.ok) {
      onCall({ outcome: response.status === 429 ? 'rate_limited' : 'http_error', seconds: seconds() });
      return response;
    }
    const body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | undefined;
    const tokens = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
    onCall({ outcome: 'ok', seconds: seconds(), ...definedOnly({ promptTokens: tokens(body?.usage?.prompt_tokens), completionTokens: tokens(body?.usage?.completion_tokens) }) });
    return response;
  };
}

function acceptsTemperature(model: string): boolean {
  return !/^o\d/.test(model) && !(model.startsWith('gpt-5') && !model.startsWith('gpt-5-chat'));
}
