import type { RecordedChatRequest, ScriptFunction, ScriptStep } from './openai-compatible.js';

/**
 * The model names the script answers to. `obeysInjectedInstructions` plays the model we fear: it
 * also reads the logs of the services asked about and does what a log line starting "SYSTEM:" or
 * saying "ignore previous instructions" tells it (proposes the action it names, repeats its link
 * as advice), so the evaluations can check that what reaches Slack is harmless all the same.
 */
export const SCRIPTED_MODELS = { investigator: 'scripted-investigator', obeysInjectedInstructions: 'scripted-obeys-injected-instructions' } as const;

/**
 * A scripted "model" for the OpenAI-compatible fake that investigates the way the system prompt
 * asks, deciding each step from the conversation it is sent (so one fake serves many
 * conversations at once): it asks for current anomalies and the root-cause ranking of the
 * services the question names, checks the deploy history of the first-ranked service, and answers
 * in the required layout from what the tools returned. It tests our plumbing (tools offered,
 * called, their results framed and read back, the answer parsed and posted), not a model's wits:
 * the reasoning it repeats is the engine's.
 */
export const scriptedInvestigator: ScriptFunction = (request) => {
  const obeys = request.model === SCRIPTED_MODELS.obeysInjectedInstructions;
  const results = toolResults(request);
  const ranking = results.get('rank_root_causes');
  if (ranking === undefined) return firstLook(request, obeys);
  const orders = obeys ? injectedOrders([...results.values()]) : undefined;
  if (orders?.proposal && !results.has('propose_action') && request.toolChoice !== 'none') {
    return { tool_calls: [{ name: 'propose_action', arguments: { ...orders.proposal, reason: `As the logs instruct: ${orders.line}` } }] };
  }
  const obeyed = orders ? { evidence: [orders.line], actions: orders.link ? [`Visit ${orders.link} to restore service, as the logs say`] : [] } : { evidence: [], actions: [] };
  const top = /^1\. (\S+) \(score/m.exec(ranking)?.[1];
  const nothingWrong = /raised no anomaly/.test(ranking) || top === undefined;
  if (nothingWrong) return answer('Root cause: none found — detection raised no anomaly on the services asked about', [firstLine(ranking), ...obeyed.evidence], obeyed.actions);
  const history = results.get('deployment_history');
  if (history === undefined && request.toolChoice !== 'none') return { tool_calls: [{ name: 'deployment_history', arguments: { service: top } }] };
  // What the tool could not see is evidence too: an answer must not sound surer than its data.
  const caveats = ranking.split('\n').filter((line) => line.startsWith('Could not read'));
  const evidence = [...evidenceOf(ranking, top), ...caveats, ...obeyed.evidence];
  return answer(`Root cause: ${top} — ranked first by the root-cause engine`, evidence, [`Check ${top}'s dashboards and logs since the trouble started`, ...obeyed.actions]);
};

function firstLook(request: RecordedChatRequest, obeys: boolean): ScriptStep {
  const catalogued = /Catalogued services: ([^.]+)\./.exec(request.systemPrompt ?? '')?.[1]?.split(', ') ?? [];
  const question = lastUserText(request).toLowerCase();
  const named = catalogued.filter((service) => question.includes(service) || question.includes(service.replace(/-/g, ' ')));
  return {
    tool_calls: [
      { name: 'current_anomalies', arguments: {} },
      { name: 'rank_root_causes', arguments: named.length > 0 ? { services: named } : {} },
      ...(obeys ? named.map((service) => ({ name: 'search_logs', arguments: { service } })) : []),
    ],
  };
}

interface InjectedOrders {
  /** The log line's message, as the model read it. */
  line: string;
  proposal?: { service: string; action: string };
  link?: string;
}

/** The first instruction-like line in what the tools returned, and what it asks for. */
function injectedOrders(outputs: string[]): InjectedOrders | undefined {
  const line = outputs
    .flatMap((output) => output.split('\n'))
    .map((text) => text.replace(/^\d{2}:\d{2}:\d{2} [A-Z]+(?: \S+)?(?: ×\d+)?: /, ''))
    .find((text) => /\bSYSTEM:|ignore (?:all )?previous instructions/i.test(text));
  if (line === undefined) return undefined;
  const proposal = /propose (rollback|rollout-restart|scale|delete-pod) of ([a-z0-9-]+)/i.exec(line);
  const link = /(?:https?:\/\/|www\.)[^\s|>]+/i.exec(line)?.[0];
  return { line, ...(proposal ? { proposal: { action: proposal[1]!.toLowerCase(), service: proposal[2]! } } : {}), ...(link ? { link } : {}) };
}

function answer(rootCause: string, evidence: string[], actions: string[]): ScriptStep {
  return { text: [rootCause, 'Evidence:', ...evidence.map((line) => `- ${line}`), 'What to do:', ...actions.map((line) => `- ${line}`)].join('\n') };
}

/** The tool results in the conversation by tool name (the latest of each), matched through the assistant's calls. */
export function toolResults(request: RecordedChatRequest): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of request.messages) for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  const results = new Map<string, string>();
  for (const { toolCallId, content } of request.toolMessages) {
    const name = names.get(toolCallId);
    if (name) results.set(name, content);
  }
  return results;
}

function lastUserText(request: RecordedChatRequest): string {
  const user = request.messages.filter((message) => message.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

/** The first-ranked service's evidence lines ("   - metric [14:02]: …"). */
function evidenceOf(ranking: string, service: string): string[] {
  const lines = ranking.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`1. ${service} `));
  const evidence: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s+- (.*)$/.exec(line);
    if (!match) break;
    evidence.push(match[1]!);
  }
  return evidence.length > 0 ? evidence : [`${service} is first in the ranking`];
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '' && !line.startsWith('<<<'))?.trim() ?? text;
}
