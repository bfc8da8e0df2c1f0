import type { z } from 'zod';

/** How a tool call ended; tools never throw at the agent (HolmesGPT's habit: the model reads the status). */
export type ToolStatus = 'ok' | 'error' | 'no-data';

/** A query behind a piece of evidence, so an answer can link to Prometheus or Kibana. */
export interface ToolQuery {
  kind: 'promql' | 'logs';
  /** The PromQL expression, or the log search (service, words, level). */
  text: string;
  /** Window the query covered, ms since the epoch. */
  start: number;
  end: number;
}

export interface ToolResult {
  status: ToolStatus;
  /**
   * What the model reads: bounded text (summaries, top-N rows, templates instead of raw lines),
   * never more than MAXIMUM_TOOL_OUTPUT_CHARACTERS, so a flood never blows the context.
   */
  output: string;
  /** Queries behind the output, for links in the answer. */
  queries?: ToolQuery[];
  /** Services the output is about, so the answer and thread can remember them. */
  services?: string[];
}

/** Long enough for a top-10 table with examples; short enough that ten calls stay far under any context window. */
export const MAXIMUM_TOOL_OUTPUT_CHARACTERS = 4_000;

export interface ToolCallContext {
  /** Aborted when the investigation's time limit passes. */
  signal: AbortSignal;
}

/**
 * One read-only capability the agent may call. `schema` describes the arguments (the model sees
 * it as JSON Schema); `run` receives them parsed. A tool changes nothing outside the bot's own
 * state: the only one that writes, propose_action, records a proposal for a person to approve.
 */
export interface AgentTool<Schema extends z.ZodObject = z.ZodObject> {
  name: string;
  /** One or two sentences: what it returns and when to use it. */
  description: string;
  schema: Schema;
  run(input: z.infer<Schema>, context: ToolCallContext): Promise<ToolResult>;
}

/** Cuts text to the output limit, saying so, so the model knows there was more. */
export function boundedOutput(text: string, limit = MAXIMUM_TOOL_OUTPUT_CHARACTERS): string {
  if (text.length <= limit) return text;
  const marker = `\n… (${text.length - limit} more characters cut; narrow the request to see them)`;
  return text.slice(0, limit - marker.length) + marker;
}
