import type { WebClient } from '@slack/web-api';
import type { AiopsCommand } from '../../aiops-command.js';
import { noticeMessage } from '../../blocks/notice-message.js';
import { runAiopsCommand, type CommandReply } from '../../run-aiops-command.js';
import type { SlackServices } from '../../slack-services.js';
import type { Question } from './answer-in-thread.js';

/** Posts in the question's thread. */
export function threadReply(client: WebClient, question: Question, services: SlackServices): (message: CommandReply) => Promise<void> {
  return (message) =>
    services.pacer.send(question.channel, () => client.chat.postMessage({ channel: question.channel, thread_ts: question.threadTs, text: message.text, blocks: message.blocks as never })).then(() => undefined);
}

/** Runs a command said to the bot, or asked for in words, for the person who said it, answering in the thread; a failure is said there in one line. */
export async function runInThread(client: WebClient, question: Question, command: Exclude<AiopsCommand, { kind: 'ask' }>, services: SlackServices): Promise<void> {
  const post = threadReply(client, question, services);
  try {
    await runAiopsCommand(command, { user: question.asker, channel: question.channel, threadTs: question.threadTs }, client, services, post);
  } catch (error) {
    services.logger.error({ channel: question.channel, command: command.kind, error: (error as Error).message }, 'a command in a message failed');
    await post(noticeMessage(`Sorry, I could not finish \`${command.kind}\`: ${(error as Error).message}`)).catch(() => undefined);
  }
}
