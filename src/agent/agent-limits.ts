import { definedOnly } from '../defined-only.js';
import { AiopsError, ErrorCode } from '../errors.js';

export interface AgentLimits {
  /** Model calls at most, the last of them forced to answer without tools. Default 8. */
  maximumSteps: number;
  /** Wall-clock limit of the whole investigation, ms. Default 60 000. */
  timeLimitMilliseconds: number;
  /** Prompt plus completion tokens over all model calls. Default 60 000. */
  tokenBudget: number;
}

export const DEFAULT_AGENT_LIMITS: Readonly<AgentLimits> = Object.freeze({ maximumSteps: 8, timeLimitMilliseconds: 60_000, tokenBudget: 60_000 });

export type StopReason = 'answer' | 'step-limit' | 'token-budget' | 'time-limit';

/** Completion tokens set aside for an answer when judging whether another tool round fits the budget. */
const ANSWER_TOKENS = 1_000;

/**
 * The investigation's clock and purse. Tools stop at `toolDeadline`, leaving the rest of the time
 * for a final answer; the model call itself may run until `deadline`.
 */
export class AgentBudget {
  readonly limits: AgentLimits;
  readonly startedAt: number;
  readonly deadline: number;
  readonly toolDeadline: number;
  promptTokens = 0;
  completionTokens = 0;
  steps = 0;
  private lastPromptTokens = 0;

  constructor(limits: Partial<AgentLimits> | undefined, startedAt: number) {
    this.limits = { ...DEFAULT_AGENT_LIMITS, ...definedOnly(limits ?? {}) };
    this.startedAt = startedAt;
    this.deadline = startedAt + this.limits.timeLimitMilliseconds;
    // A quarter of the time, at most 15 s, is kept for the answer.
    this.toolDeadline = this.deadline - Math.min(15_000, this.limits.timeLimitMilliseconds / 4);
  }

  record(usage: { input_tokens?: number; output_tokens?: number } | undefined, promptCharacters: number): void {
    this.steps += 1;
    // Endpoints that send no usage are charged an estimate (four characters a token), so the budget still binds.
    const prompt = usage?.input_tokens ?? Math.ceil(promptCharacters / 4);
    this.promptTokens += prompt;
    this.completionTokens += usage?.output_tokens ?? 0;
    this.lastPromptTokens = prompt;
  }

  /** Why the next call must be the final one without tools, or undefined when another tool round fits. */
  mustAnswer(now: number, addedCharacters: number): StopReason | undefined {
    if (this.steps >= this.limits.maximumSteps - 1) return 'step-limit';
    if (now >= this.toolDeadline) return 'time-limit';
    // The next call re-sends everything so far plus the new tool results; the answer after it, a little more.
    const nextCall = this.lastPromptTokens + Math.ceil(addedCharacters / 4) + ANSWER_TOKENS;
    if (this.promptTokens + this.completionTokens + 2 * nextCall > this.limits.tokenBudget) return 'token-budget';
    return undefined;
  }
}

export type AgentFailure = 'model-error' | 'time-limit' | 'cancelled';

/**
 * The model call failed, timed out or was cancelled: the caller answers with the deterministic
 * engine instead. Tool failures never raise it; they go back to the model as results.
 */
export class AgentFailedError extends AiopsError {
  readonly reason: AgentFailure;

  constructor(reason: AgentFailure, message: string, cause?: unknown) {
    super(reason === 'time-limit' ? ErrorCode.SourceTimeout : ErrorCode.SourceUnavailable, message, {
      backend: 'llm',
      cause,
      hint: reason === 'model-error' ? 'check OPENAI_BASE_URL, OPENAI_MODEL and OPENAI_API_KEY' : undefined,
    });
    this.name = 'AgentFailedError';
    this.reason = reason;
  }
}
