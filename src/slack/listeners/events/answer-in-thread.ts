import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Answer } from '../../../investigation/answer.js';
import { seesNothing, seesService } from '../../../access/visibility.js';
import { answerTurn, investigate } from '../../../investigation/investigate.js';
import { scopedInvestigation } from '../../../investigation/scoped-investigation.js';
import { answerMessage } from '../../blocks/answer-message.js';
import { noticeMessage } from '../../blocks/notice-message.js';
import { commandsInQuestion, type CommandsInQuestion } from '../../commands-in-question.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';
import type { QuestionPath } from '../../../telemetry/metrics.js';
import type { Logger } from '../../../logger.js';
import { runInThread, threadReply } from './run-in-thread.js';

/** Minimum time between two progress edits of the same reply. */
const PROGRESS_EDIT_MILLISECONDS = 1_000;

export interface Question {
  channel: string;
  /** The thread to answer in: the question's own ts, or the thread it was asked in. */
  threadTs: string;
  text: string;
  /** Who asked (a Slack user id): the answer reads only what they may see. */
  asker: string;
}

/** Said to someone in none of the catalogue's teams or channels, who would otherwise get an answer about nothing. */
const OUTSIDE_EVERY_TEAM =
  'I answer questions about the services of your teams and of the incident channels you are in, and you are in none of them. Ask a responder, or your Slack admin to add you to a team\'s user group.';

/**
 * Answers in the thread: a "looking into it" reply at once, edited in place as the
 * investigation goes and when it ends. The thread remembers its services for follow-ups. The
 * investigation reads what the asker may see (see scopedInvestigation); someone who may see
 * nothing gets one line saying so: in a DM as the reply, in a channel only to them.
 */
export async function answerInThread(client: WebClient, question: Question, services: SlackServices): Promise<void> {
  const now = services.now;
  const visibility = await slackAccess(services, client).access.visibility(question.asker);
  if (seesNothing(visibility)) {
    const refusal = noticeMessage(OUTSIDE_EVERY_TEAM);
    if (question.channel.startsWith('D')) await client.chat.postMessage({ channel: question.channel, thread_ts: question.threadTs, ...refusal });
    else await client.chat.postEphemeral({ channel: question.channel, user: question.asker, thread_ts: question.threadTs, ...refusal });
    return;
  }
  // One id on every log line of this question, the investigation's included, so a slow or wrong answer can be traced.
  const questionId = `Q-${randomUUID().slice(0, 8)}`;
  const logger = services.logger.child({ questionId });
  logger.info({ channel: question.channel, threadTs: question.threadTs, asker: question.asker }, 'question received');
  const [threadServices, history] = await Promise.all([services.stores.threads.services(question.channel, question.threadTs), services.stores.threads.turns(question.channel, question.threadTs)]);
  const seenInThread = threadServices.filter((service) => seesService(visibility, service));
  // "How many replicas will payment need tomorrow?" is a forecast, "what is payment logging?" its log templates: the command's answer, chart included.
  const earlierQuestions = history.filter((turn) => turn.role === 'user').map((turn) => turn.text).reverse();
  const asked = commandsInQuestion(services.catalogue, question.text, seenInThread, now(), earlierQuestions);
  if (asked.whichService) return threadReply(client, question, services)(noticeMessage(asked.whichService));
  if (asked.commands.length > 0) return answerWithCommands(client, question, asked, services, logger);
  const scoped = scopedInvestigation(services.investigation, visibility);
  const investigation = { ...scoped, logger: scoped.logger.child({ questionId }) };
  const first: Answer = { question: question.text, services: [], stage: 'investigating', steps: [], servicesInAnomaly: [], recentChanges: [], suggestions: [], method: 'deterministic' };
  const posted = await services.pacer.send(question.channel, () =>
    client.chat.postMessage({ channel: question.channel, thread_ts: question.threadTs, ...answerMessage(first, { now: now() }) }),
  );
  const ts = posted.ts!;
  const show = (answer: Answer) => client.chat.update({ channel: question.channel, ts, ...answerMessage(answer, { now: now(), links: services.queryLinks }) });
  try {
    // Progress is worth an edit only when the work takes long enough for someone to be watching;
    // a fast answer goes straight from "looking into it" to the result, saving Slack two calls.
    let lastShown = Date.now();
    const startedAt = Date.now();
    const answer = await investigate(
      question.text,
      seenInThread,
      investigation,
      async (progress) => {
        if (Date.now() - lastShown < PROGRESS_EDIT_MILLISECONDS) return;
        lastShown = Date.now();
        await show(progress);
      },
      history,
    );
    const seconds = (Date.now() - startedAt) / 1000;
    services.metrics?.questionAnswered(answerPath(answer), seconds);
    logger.info({ path: answerPath(answer), seconds, services: answer.services, suspect: answer.suspect }, 'question answered');
    await show(answer);
    await services.stores.threads.remember(question.channel, question.threadTs, answer.suspect ? [...new Set([...answer.services, answer.suspect])] : answer.services);
    await services.stores.threads.rememberTurns(question.channel, question.threadTs, [{ role: 'user', text: question.text }, answerTurn(answer)]);
  } catch (error) {
    services.metrics?.questionFailed();
    logger.error({ channel: question.channel, error: (error as Error).message }, 'answering failed');
    await client.chat.update({ channel: question.channel, ts, text: `Sorry, I could not finish looking into this: ${(error as Error).message}` });
  }
}

/** A question a command answers: each service's in turn in the thread, what was left out said, the services remembered for follow-ups. */
async function answerWithCommands(client: WebClient, question: Question, asked: CommandsInQuestion, services: SlackServices, logger: Logger): Promise<void> {
  const startedAt = Date.now();
  for (const command of asked.commands) await runInThread(client, question, command, services);
  if (asked.leftOut.length > 0) {
    await threadReply(client, question, services)(noticeMessage(`Answered for the first ${asked.commands.length} services named; ask again for ${asked.leftOut.join(', ')}.`));
  }
  const path = asked.commands[0]!.kind;
  const seconds = (Date.now() - startedAt) / 1000;
  services.metrics?.questionAnswered(path, seconds);
  const named = asked.commands.flatMap((command) => ('service' in command && command.service !== undefined ? [command.service] : []));
  logger.info({ path, seconds, services: named }, 'question answered');
  await services.stores.threads.remember(question.channel, question.threadTs, named);
  // The exchange is part of the thread: a follow-up ("and payment?") asks the same, and the agent reads it as context.
  const answered = `Answered with /aiops ${path}${named.length > 0 ? ` for ${named.join(', ')}` : ''}`;
  await services.stores.threads.rememberTurns(question.channel, question.threadTs, [{ role: 'user', text: question.text }, { role: 'assistant', text: answered }]);
}

/** Who answered, for /metrics: the agent, the engine, or the engine standing in for a failed agent. */
function answerPath(answer: Answer): QuestionPath {
  if (answer.method === 'llm') return 'agent';
  if (answer.method === 'catalogue' || answer.method === 'changes') return answer.method;
  return answer.fallbackReason === undefined ? 'engine' : 'engine_fallback';
}

/** The question without the bot's own mention. */
export function questionText(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').replace(/\s+/g, ' ').trim();
}
