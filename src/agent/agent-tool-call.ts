import { formatZodIssue } from '../zod-issue.js';
import { frameAsData } from './guardrails.js';
import { redactedExcerpt, redactSecrets } from '../redact-secrets.js';
import { boundedOutput, type AgentTool, type ToolQuery, type ToolResult, type ToolStatus } from './tool.js';

/** One tool call as the investigation made it, for the audit and the answer's links. */
export interface AgentToolCall {
  tool: string;
  input: unknown;
  status: ToolStatus;
  durationMilliseconds: number;
  queries?: ToolQuery[];
}

/** A tool may describe its own call for the progress line; otherwise one is derived from its name and input. */
export interface ProgressDescribingTool {
  progressLine?: (input: unknown) => string;
}

export interface ExecutedToolCall {
  record: AgentToolCall;
  result: ToolResult;
  /** What the model reads back: the redacted output framed as data, with its status. */
  modelContent: string;
}

/**
 * Runs one call the model asked for. Never throws: an unknown tool, arguments that fail the schema,
 * a tool that throws or outlives the signal all become `error` results the model can read and act on.
 */
export async function executeToolCall(tools: AgentTool[], name: string, input: unknown, signal: AbortSignal): Promise<ExecutedToolCall> {
  const started = Date.now();
  const result = await resultOf(tools, name, input, signal);
  // Redacted before it is cut, so a cut never leaves half a secret that no pattern recognises.
  const output = boundedOutput(redactSecrets(result.output));
  return {
    record: {
      tool: name,
      input,
      status: result.status,
      durationMilliseconds: Date.now() - started,
      ...(result.queries?.length ? { queries: result.queries } : {}),
    },
    result: { ...result, output },
    modelContent: `status: ${result.status}\n${frameAsData(`tool ${name}`, output)}`,
  };
}

async function resultOf(tools: AgentTool[], name: string, input: unknown, signal: AbortSignal): Promise<ToolResult> {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) {
    return { status: 'error', output: `Unknown tool "${name}". Available tools: ${tools.map((candidate) => candidate.name).join(', ')}.` };
  }
  const parsed = tool.schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => formatZodIssue(issue)).join('; ');
    return { status: 'error', output: `Invalid arguments for ${name}: ${problems}. Fix them and call again.` };
  }
  if (signal.aborted) return timedOut(name);
  try {
    return await raceSignal(tool.run(parsed.data, { signal }), signal, () => timedOut(name));
  } catch (error) {
    if (signal.aborted) return timedOut(name);
    return { status: 'error', output: `${name} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function timedOut(name: string): ToolResult {
  return { status: 'error', output: `${name} did not finish within the investigation's time limit.` };
}

/** The tool's promise, or the fallback as soon as the signal aborts (a tool that ignores its signal cannot stall the agent). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, fallback: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(fallback());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const MAXIMUM_PROGRESS_VALUE_CHARACTERS = 60;

/**
 * A short human line for the Slack progress message, e.g. "checking order-service latency_p95…"
 * or "checking recent changes for payment…", redacted.
 */
export function progressLine(tools: AgentTool[], name: string, input: unknown): string {
  const tool = tools.find((candidate) => candidate.name === name) as (AgentTool & ProgressDescribingTool) | undefined;
  if (tool?.progressLine) {
    try {
      return redactSecrets(tool.progressLine(input));
    } catch {
      // Fall through to the derived line.
    }
  }
  const values = inputValues(input);
  const what = name.replace(/[_-]+/g, ' ').trim();
  if (values.length >= 2) return `checking ${values.join(' ')}…`;
  return values.length === 1 ? `checking ${what} for ${values[0]}…` : `checking ${what}…`;
}

function inputValues(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return [];
  const values: string[] = [];
  for (const value of Object.values(input)) {
    const texts = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
    for (const text of texts) {
      // Redacted on its own, before the line's ellipsis could be read as part of a secret.
      const single = redactSecrets(text.replace(/\s+/g, ' ').trim());
      if (single) values.push(redactedExcerpt(single, MAXIMUM_PROGRESS_VALUE_CHARACTERS));
    }
  }
  return values.slice(0, 3);
}
