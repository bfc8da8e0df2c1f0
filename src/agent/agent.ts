import type { BaseChatModel, BaseChatModelCallOptions } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage, type ToolCall } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import { parseAgentAnswer } from './agent-answer.js';
import { deadlineSignal } from './deadline-signal.js';
import { AgentBudget, AgentFailedError, type AgentLimits, type StopReason } from './agent-limits.js';
import { executeToolCall, progressLine, type AgentToolCall } from './agent-tool-call.js';
import { frameAsData } from './guardrails.js';
import { redactSecrets } from '../redact-secrets.js';
import { systemPrompt } from './prompts/system-prompt.js';
import type { AgentTool, ToolQuery } from './tool.js';
import { toolParameters } from './tool-parameters.js';

export { parseAgentAnswer, type ParsedAgentAnswer } from './agent-answer.js';
export { AgentFailedError, DEFAULT_AGENT_LIMITS, type AgentFailure, type AgentLimits, type StopReason } from './agent-limits.js';
export type { AgentToolCall } from './agent-tool-call.js';

/** An earlier message in the Slack thread, oldest first; the model reads every turn as data, never as its own words. */
export interface AgentTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface AgentProgress {
  tool: string;
  input: unknown;
  /** e.g. "checking order-service latency_p95…" (redacted). */
  line: string;
}

export interface AgentRequest {
  question: string;
  /** Every tool the model may call; the system prompt lists exactly these. */
  tools: AgentTool[];
  /** From createChatModel; must support tool binding. */
  model: BaseChatModel;
  /** The investigation's "now", ms since the epoch. */
  now: number;
  /** Catalogued service names. */
  services: string[];
  limits?: Partial<AgentLimits>;
  /** Called before each tool runs; a failure here is ignored (progress is a courtesy). */
  onProgress?: (step: AgentProgress) => Promise<void>;
  history?: AgentTurn[];
  /** Aborts the investigation (AgentFailedError 'cancelled'). */
  signal?: AbortSignal;
}

export interface AgentResult {
  /** The answer, redacted, in the layout the system prompt asks for. */
  text: string;
  /** The service on the answer's `Root cause:` line; undefined for "none found". */
  rootCause?: string;
  toolCalls: AgentToolCall[];
  /** Model calls made, the final one included. */
  steps: number;
  tokens: { prompt: number; completion: number };
  stoppedBy: StopReason;
  durationMilliseconds: number;
  /** Every query behind the evidence, in call order. */
  queries: ToolQuery[];
  /** Services the tool results were about. */
  services: string[];
}

/** Tool calls honoured from one model reply; more get an error result asking for fewer. */
const MAXIMUM_CALLS_PER_STEP = 6;

const FINAL_INSTRUCTION =
  'The investigation limit is reached: do not call any more tools. Answer now from the evidence you already have, ' +
  'in the required layout (Root cause:, Evidence:, What to do:). Say what remains unchecked or uncertain.';

type BoundModel = Runnable<BaseMessage[], AIMessage, BaseChatModelCallOptions>;

/**
 * The investigation loop: the model reads the question, calls read-only tools, reads their
 * redacted and framed results, and answers. It is stopped by an answer, or forced to answer by the
 * step limit, the token budget or the time limit. A failing or silent model raises
 * AgentFailedError so the caller can answer with the deterministic engine instead.
 */
export async function runAgent(request: AgentRequest): Promise<AgentResult> {
  const started = Date.now();
  const budget = new AgentBudget(request.limits, started);
  if (typeof request.model.bindTools !== 'function') throw new AgentFailedError('model-error', 'the chat model cannot call tools');
  const bound = request.model.bindTools(
    request.tools.map((tool) => ({ name: tool.name, description: tool.description, schema: toolParameters(tool.schema) })),
  ) as unknown as BoundModel;
  const modelDeadline = deadlineSignal(budget.deadline - started, request.signal);
  const toolDeadline = deadlineSignal(budget.toolDeadline - started, request.signal);
  try {
    return await investigate(request, bound, budget, modelDeadline.signal, toolDeadline.signal);
  } finally {
    modelDeadline.clear();
    toolDeadline.clear();
  }
}

async function investigate(request: AgentRequest, bound: BoundModel, budget: AgentBudget, modelSignal: AbortSignal, toolSignal: AbortSignal): Promise<AgentResult> {
  const messages: BaseMessage[] = [
    new SystemMessage(systemPrompt(request.tools, { now: request.now, services: request.services })),
    ...historyMessages(request.history ?? []),
    new HumanMessage(redactSecrets(request.question)),
  ];
  const toolCalls: AgentToolCall[] = [];
  const queries: ToolQuery[] = [];
  const services = new Set<string>();

  const callModel = async (options: Partial<BaseChatModelCallOptions>): Promise<AIMessage> => {
    try {
      const reply = await bound.invoke(messages, { ...options, signal: modelSignal });
      budget.record(reply.usage_metadata, charactersOf(messages));
      return reply;
    } catch (error) {
      throw modelFailure(error, request.signal, modelSignal, budget.limits.timeLimitMilliseconds);
    }
  };

  let addedCharacters = 0;
  let stoppedBy: StopReason = 'answer';
  let text: string | undefined;
  for (;;) {
    const mustAnswer = budget.mustAnswer(Date.now(), addedCharacters);
    if (mustAnswer) {
      stoppedBy = mustAnswer;
      break;
    }
    const reply = await callModel({});
    const calls = callsOf(reply);
    if (calls.length === 0) {
      text = reply.text.trim();
      break;
    }
    messages.push(new AIMessage({ content: reply.content, tool_calls: calls }));
    for (const call of calls.slice(0, MAXIMUM_CALLS_PER_STEP)) await reportProgress(request, call);
    const executed = await Promise.all(
      calls.map((call, index) =>
        index < MAXIMUM_CALLS_PER_STEP
          ? executeToolCall(request.tools, call.name, call.args, toolSignal)
          : Promise.resolve(undefined),
      ),
    );
    addedCharacters = 0;
    calls.forEach((call, index) => {
      const result = executed[index];
      const content = result ? result.modelContent : `status: error\nToo many tool calls in one step; at most ${MAXIMUM_CALLS_PER_STEP} run. Call this one again if you still need it.`;
      if (result) {
        toolCalls.push(result.record);
        queries.push(...(result.result.queries ?? []));
        for (const service of result.result.services ?? []) services.add(service);
      }
      addedCharacters += content.length;
      messages.push(new ToolMessage({ content, tool_call_id: call.id ?? '', name: call.name }));
    });
  }

  if (text === undefined || text === '') {
    // Forced (or the model fell silent): one last call that may not use tools.
    messages.push(new HumanMessage(FINAL_INSTRUCTION));
    const reply = await callModel({ tool_choice: 'none' });
    text = reply.text.trim() || fallbackAnswer(stoppedBy, toolCalls);
  }
  const redacted = redactSecrets(text);
  const { rootCause } = parseAgentAnswer(redacted);
  return {
    text: redacted,
    ...(rootCause === undefined ? {} : { rootCause }),
    toolCalls,
    steps: budget.steps,
    tokens: { prompt: budget.promptTokens, completion: budget.completionTokens },
    stoppedBy,
    durationMilliseconds: Date.now() - budget.startedAt,
    queries,
    services: [...services],
  };
}

/**
 * The thread's earlier exchanges as one user message, framed as data like a tool's output. Never
 * as assistant turns: an earlier answer may quote a log line, and fed back as the bot's own words
 * an injected "SYSTEM: …" would become an instruction the model believes it gave itself.
 */
function historyMessages(history: readonly AgentTurn[]): BaseMessage[] {
  if (history.length === 0) return [];
  const lines = history.map((turn) => `${turn.role === 'user' ? 'Asked' : 'The bot answered, in short'}: ${redactSecrets(turn.text)}`);
  return [new HumanMessage(`Earlier in this Slack thread (context for the question that follows):\n${frameAsData('this thread\'s earlier exchanges', lines.join('\n'))}`)];
}

/**
 * The calls of a reply, each with an id. Calls whose arguments were not valid JSON (LangChain's
 * `invalid_tool_calls`) are kept with empty arguments, so they are answered with a schema error
 * rather than dropped: every call id sent must get its tool result, or the endpoint rejects the next request.
 */
function callsOf(reply: AIMessage): ToolCall[] {
  const valid = reply.tool_calls ?? [];
  const invalid = (reply.invalid_tool_calls ?? []).map((call) => ({ id: call.id, name: call.name ?? 'unknown', args: {}, type: 'tool_call' as const }));
  return [...valid, ...invalid].map((call, index) => ({ ...call, id: call.id || `call_${index + 1}` }));
}

async function reportProgress(request: AgentRequest, call: ToolCall): Promise<void> {
  if (!request.onProgress) return;
  try {
    await request.onProgress({ tool: call.name, input: call.args, line: progressLine(request.tools, call.name, call.args) });
  } catch {
    // A Slack hiccup while showing progress must not end the investigation.
  }
}

function modelFailure(error: unknown, cancelSignal: AbortSignal | undefined, modelSignal: AbortSignal, limit: number): AgentFailedError {
  if (cancelSignal?.aborted) return new AgentFailedError('cancelled', 'the investigation was cancelled', error);
  const message = error instanceof Error ? error.message : String(error);
  if (modelSignal.aborted || /time(d)?[ -]?out/i.test(`${(error as Error | undefined)?.name ?? ''} ${message}`)) {
    return new AgentFailedError('time-limit', `the model did not answer within the investigation's ${limit} ms time limit`, error);
  }
  return new AgentFailedError('model-error', `the model call failed: ${redactSecrets(message).slice(0, 300)}`, error);
}

function charactersOf(messages: BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + message.text.length, 0);
}

/** What the answer says when the model gave no text even when forced: the calls made, honestly. */
function fallbackAnswer(stoppedBy: StopReason, toolCalls: AgentToolCall[]): string {
  const evidence = toolCalls.length === 0 ? ['- no tools were run'] : toolCalls.map((call) => `- ${call.tool} ${JSON.stringify(call.input)}: ${call.status}`);
  return [`Root cause: none found — the model gave no answer (stopped by ${stoppedBy}).`, 'Evidence:', ...evidence, 'What to do:', '- ask again or check the services by hand'].join('\n');
}
