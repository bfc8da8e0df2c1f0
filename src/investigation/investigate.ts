import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AgentFailedError, runAgent, parseAgentAnswer, type AgentLimits } from '../agent/agent.js';
import { proposalsInScope, quoteInstructions, screenAdvice } from '../agent/guardrails.js';
import type { AgentTool, ToolResult } from '../agent/tool.js';
import type { ToolDependencies } from '../agent/tools/create-tools.js';
import { isCatalogued, ownerOf } from '../catalogue.js';
import type { Logger } from '../logger.js';
import { PROPOSED_ACTIONS, type ActionProposal, type ActionProposals } from '../state/action-proposals.js';
import type { ThreadTurn } from '../state/thread-context.js';
import type { Answer } from './answer.js';
import { catalogueAnswer } from './catalogue-answer.js';
import { changesAnswer } from './changes-answer.js';
import { deterministicAnswer, type AnswerDependencies } from './deterministic-answer.js';
import { remediationForAnswer } from './remediation-for-answer.js';
import { servicesInQuestion } from './question-services.js';
import { describeUnknownServices, unknownServicesInQuestion } from './unknown-services.js';

/** The LLM side of an investigation, present when an endpoint is configured. */
export interface AgentSetup {
  model: BaseChatModel;
  tools: AgentTool[];
  /** Where propose_action records proposals: read back to show them in the answer. */
  proposals: ActionProposals;
  limits?: Partial<AgentLimits>;
  /** What the tools were built from: scopedInvestigation builds them again for one asker's view. */
  toolDependencies?: ToolDependencies;
}

export interface InvestigationDependencies {
  /** The deterministic engine's sources: it answers alone without an LLM, and whenever the agent fails. */
  answers: AnswerDependencies;
  /** Where the engine's own proposal is recorded, so its answer carries it with the button; absent, engine answers propose nothing. */
  proposals?: ActionProposals;
  agent?: AgentSetup;
  logger: Logger;
}

/** The most proposals one answer shows. */
const MAXIMUM_PROPOSALS_PER_ANSWER = 2;

/** The proposal ids propose_action reports ("… as proposal P-12 …"). */
const PROPOSAL_ID = /\bproposal (P-\d+)\b/;

/**
 * Answers a question: with the agent when an LLM is configured, with the root-cause engine when
 * not, and with the engine again when the agent fails or runs out of time, saying why. Progress
 * goes to `onProgress` either way, so the Slack message shows the work as it happens.
 */
export async function investigate(
  question: string,
  threadServices: string[],
  dependencies: InvestigationDependencies,
  onProgress: (answer: Answer) => Promise<void> = async () => undefined,
  /** Earlier exchanges in the thread, oldest first: what a follow-up question refers to. */
  history: ThreadTurn[] = [],
): Promise<Answer> {
  const { agent, answers, logger } = dependencies;
  // Who owns it, who is paged, what it calls: the catalogue knows, at once and without a model.
  const layout = catalogueAnswer(answers.catalogue, question, threadServices);
  if (layout) return layout;
  // "What changed in the last hour?": the change record, listed as asked, not an investigation of something else.
  const changes = await changesAnswer(question, threadServices, answers);
  if (changes) return changes;
  if (!agent) return engineAnswer(question, threadServices, dependencies, onProgress);

  const named = servicesInQuestion(answers.catalogue, question);
  const unknown = unknownServicesInQuestion(answers.catalogue, question);
  // Only services the catalogue does not hold: the engine says so at once, and the model is not asked to guess.
  if (unknown.length > 0 && named.length === 0) return engineAnswer(question, threadServices, dependencies, onProgress);
  const services = named.length > 0 || unknown.length > 0 ? named : threadServices;
  const answer: Answer = { question, services, stage: 'investigating', steps: [], servicesInAnomaly: [], recentChanges: [], suggestions: [], method: 'llm', ...(unknown.length > 0 ? { unknownServices: unknown } : {}) };
  const proposalIds: string[] = [];
  const toolOutputs: string[] = [];
  const tools = agent.tools.map((tool) => recordingOutputs(tool.name === 'propose_action' ? recordingProposals(tool, proposalIds) : tool, toolOutputs));
  // A follow-up in a thread ("and the database?") needs what the thread was about.
  const context =
    unknown.length > 0 ? `\n(${describeUnknownServices(answers.catalogue, unknown)})` : named.length === 0 && threadServices.length > 0 ? `\n(Earlier in this thread: ${threadServices.join(', ')}.)` : '';
  try {
    const result = await runAgent({
      question: `${question}${context}`,
      tools,
      model: agent.model,
      now: answers.now(),
      services: Object.keys(answers.catalogue.services),
      limits: agent.limits,
      history,
      onProgress: async (step) => {
        answer.steps.push(step.line);
        await onProgress(answer);
      },
    });
    const parsed = parseAgentAnswer(result.text);
    const suspect = catalogued(answers, result.rootCause);
    const recorded = (await Promise.all([...new Set(proposalIds)].map((id) => agent.proposals.get(id)))).filter(
      (proposal): proposal is ActionProposal => proposal !== undefined && (PROPOSED_ACTIONS as readonly string[]).includes(proposal.action),
    );
    // The question and the diagnosis bound what may be proposed; the tools' data (an injected log line) does not.
    const scope = new Set([...services, ...(suspect ? [suspect] : [])]);
    const { kept, outside } = proposalsInScope(recorded, scope);
    // Two fixes at most for one question: a longer list is a model casting about, and each is a decision for a person.
    const proposals = kept.slice(0, MAXIMUM_PROPOSALS_PER_ANSWER);
    const advice = screenAdvice(parsed.actions, toolOutputs.join('\n'));
    const notes = [
      ...outside.map((proposal) => `Left out a proposal to ${proposal.action} ${proposal.service}: ${proposal.service} is outside this question (${describeScope(scope)}).`),
      ...(kept.length > proposals.length ? [`Left out ${kept.length - proposals.length} further proposal(s): at most ${MAXIMUM_PROPOSALS_PER_ANSWER} per answer.`] : []),
      ...(advice.leftOut > 0 ? [`Left out ${advice.leftOut === 1 ? 'a suggested step that passes' : `${advice.leftOut} suggested steps that pass`} on instructions or links found in the data the tools read.`] : []),
    ];
    logger.info({ question, steps: result.steps, tools: result.toolCalls.map((call) => call.tool), tokens: result.tokens, stoppedBy: result.stoppedBy, milliseconds: result.durationMilliseconds }, 'agent answered');
    return {
      ...answer,
      stage: 'done',
      ...(suspect ? { suspect, suspectOwner: ownerOf(answers.catalogue, suspect) } : {}),
      // Evidence may quote the data's orders, as a finding; it never says them in the bot's voice.
      conclusion: quoteInstructions([parsed.summary])[0],
      evidence: quoteInstructions(parsed.evidence),
      suggestions: advice.kept,
      queries: result.queries,
      proposals,
      ...(notes.length > 0 ? { notes } : {}),
      agentRun: { toolCalls: result.toolCalls.map((call) => call.tool), tokens: result.tokens, stoppedBy: result.stoppedBy, milliseconds: result.durationMilliseconds },
      steps: [...answer.steps, `${result.toolCalls.length} tool calls, ${result.tokens.prompt + result.tokens.completion} tokens${result.stoppedBy === 'answer' ? '' : `, stopped by the ${result.stoppedBy}`}`],
    };
  } catch (error) {
    const reason = error instanceof AgentFailedError ? error.message : `unexpected error: ${(error as Error).message}`;
    logger.warn({ question, error: reason }, 'the agent failed; answering with the root-cause engine');
    answer.steps.push(`The LLM did not answer (${reason}); asking the root-cause engine`);
    await onProgress(answer);
    const fallback = await engineAnswer(question, threadServices, dependencies, async (partial) => onProgress({ ...partial, steps: [...answer.steps, ...partial.steps] }));
    return { ...fallback, steps: [...answer.steps, ...fallback.steps], fallbackReason: reason };
  }
}

/**
 * The root-cause engine's answer with its proposal: the catalogue's healing rule for the fault it
 * diagnosed, recorded like the agent's, so the answer shows it with its "Request approval" button.
 */
async function engineAnswer(question: string, threadServices: string[], dependencies: InvestigationDependencies, onProgress: (answer: Answer) => Promise<void>): Promise<Answer> {
  const answer = await deterministicAnswer(question, threadServices, dependencies.answers, onProgress);
  if (!dependencies.proposals) return answer;
  try {
    const suggestion = await remediationForAnswer(answer, dependencies.answers);
    if (!suggestion) return answer;
    const { proposal } = await dependencies.proposals.propose({ ...suggestion.request, reason: suggestion.reason, severity: suggestion.severity, signals: suggestion.signals }, dependencies.answers.now());
    return { ...answer, proposals: [proposal] };
  } catch (error) {
    dependencies.logger.warn({ question, error: (error as Error).message }, 'the engine answered without a proposal: it could not be recorded');
    return answer;
  }
}

/**
 * The catalogued service a model named: exactly, or written as people write it ("Database",
 * "the order service", a deployment name). Only the root-cause line's head is read, so a service
 * merely mentioned in the explanation is never taken for the cause.
 */
function catalogued(answers: AnswerDependencies, named: string | undefined): string | undefined {
  if (!named) return undefined;
  if (isCatalogued(answers.catalogue, named)) return named;
  return servicesInQuestion(answers.catalogue, named)[0];
}

/** "cart, payment", or what an empty scope means. */
function describeScope(scope: ReadonlySet<string>): string {
  return scope.size === 0 ? 'it names no service and none was diagnosed' : `about ${[...scope].join(', ')}`;
}

/** The tool as given, keeping what it returned: the untrusted text the answer's advice is screened against. */
function recordingOutputs(tool: AgentTool, outputs: string[]): AgentTool {
  return {
    ...tool,
    run: async (input, context): Promise<ToolResult> => {
      const result = await tool.run(input, context);
      outputs.push(result.output);
      return result;
    },
  };
}

/** propose_action as given, noting the ids it reports so the answer can show what waits for approval. */
function recordingProposals(tool: AgentTool, ids: string[]): AgentTool {
  return {
    ...tool,
    run: async (input, context): Promise<ToolResult> => {
      const result = await tool.run(input, context);
      const id = result.status === 'ok' ? PROPOSAL_ID.exec(result.output)?.[1] : undefined;
      if (id) ids.push(id);
      return result;
    },
  };
}

/** How much of the conclusion the thread's memory keeps. */
const REMEMBERED_CONCLUSION_CHARACTERS = 300;

/**
 * The answer as the thread's memory keeps it: the bot's own summary (its conclusion, the suspect,
 * what it proposed), never the evidence, which quotes the estate's text. The next question reads
 * it framed as data all the same (see runAgent).
 */
export function answerTurn(answer: Answer): ThreadTurn {
  const conclusion = answer.conclusion ?? (answer.servicesInAnomaly.length === 0 ? 'Nothing is in anomaly.' : 'No single cause stands out.');
  const lines = [
    conclusion.length > REMEMBERED_CONCLUSION_CHARACTERS ? `${conclusion.slice(0, REMEMBERED_CONCLUSION_CHARACTERS - 1)}…` : conclusion,
    ...(answer.suspect ? [`Suspect: ${answer.suspect}`] : []),
    ...(answer.proposals ?? []).map((proposal) => `Proposed for approval: ${proposal.action} ${proposal.service} (${proposal.id})`),
  ];
  return { role: 'assistant', text: lines.join('\n') };
}
