import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Redis } from 'ioredis';
import { createTools } from '../../src/agent/tools/create-tools.js';
import type { Catalogue } from '../../src/catalogue.js';
import type { Answer } from '../../src/investigation/answer.js';
import type { AnswerDependencies } from '../../src/investigation/deterministic-answer.js';
import { investigate } from '../../src/investigation/investigate.js';
import { liveRootCauses } from '../../src/investigation/live-root-causes.js';
import { silentLogger } from '../../src/logger.js';
import { answerMessage } from '../../src/slack/blocks/answer-message.js';
import { ActionProposals } from '../../src/state/action-proposals.js';
import { LogFindingLog } from '../../src/state/log-finding-log.js';
import { caseWorld, type WorldCache } from './case-world.js';
import type { EvalCase } from './eval-case.js';
import { grade, type EvalOutcome } from './grade.js';
import { MinedLogs } from '../../src/state/mined-logs.js';

export interface CaseRun extends EvalOutcome {
  answer: Answer;
  milliseconds: number;
}

/**
 * One case answered the way the bot answers in Slack: `investigate` with the agent when a model
 * is given (tools over the case's world), with the root-cause engine otherwise; then graded on
 * the answer and the message that would be posted.
 */
export async function answerCase(evalCase: EvalCase, catalogue: Catalogue, redis: Redis, worlds: WorldCache, model?: BaseChatModel): Promise<CaseRun> {
  const { world, metrics, logs } = await caseWorld(evalCase, catalogue, redis, worlds);
  const now = () => world.clock.now();
  const logFindings = new LogFindingLog(redis, world.prefix);
  const answers: AnswerDependencies = { catalogue, cluster: world.sources.cluster, metrics, logs, anomalies: world.anomalies, logFindings, now };
  // Each case gets its own proposals, so one case's proposal is never another's.
  const proposals = new ActionProposals(redis, `${world.prefix}${evalCase.name}:`);
  const agent = model
    ? {
        model,
        proposals,
        tools: createTools({ catalogue, metrics, logs, cluster: world.sources.cluster, anomalies: world.anomalies, logFindings, minedLogs: new MinedLogs(redis, world.prefix), proposals, rankRootCauses: liveRootCauses(answers), now }),
      }
    : undefined;
  const started = performance.now();
  const answer = await investigate(evalCase.question, [], { answers, agent, logger: silentLogger() });
  const milliseconds = performance.now() - started;
  const posted = JSON.stringify(answerMessage(answer, { now: now() }));
  return { ...grade(evalCase, answer, posted, model ? (answer.agentRun?.toolCalls ?? []) : undefined), answer, milliseconds };
}
