import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { parseAiopsCommand } from '../../aiops-command.js';
import { noticeMessage } from '../../blocks/notice-message.js';
import { runAiopsCommand, type CommandReply } from '../../run-aiops-command.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread } from '../events/answer-in-thread.js';

export function register(app: App, services: SlackServices): void {
  app.command('/aiops', async ({ command, ack, client, respond }) => {
    // Slack gives a slash command 3 seconds; acknowledge first, work after.
    await ack();
    const parsed = parseAiopsCommand(command.text, services.catalogue);
    const reply = (message: CommandReply) => replyEphemeral(client, respond, command.channel_id, command.user_id, message);
    if (parsed.kind !== 'ask') return runAiopsCommand(parsed, { user: command.user_id, channel: command.channel_id }, client, services, reply);
    try {
      const asked = await services.pacer.send(command.channel_id, () =>
        client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked: ${parsed.question.replace(/[<>&]/g, '')}` }),
      );
      await answerInThread(client, { channel: command.channel_id, threadTs: asked.ts!, text: parsed.question, asker: command.user_id }, services);
    } catch (error) {
      services.logger.warn({ channel: command.channel_id, error: (error as Error).message }, 'cannot post the question in the channel');
      await reply(noticeMessage('I cannot post in this channel: invite me with `/invite @aiops`, or ask me in a direct message.'));
    }
  });
}

/** An ephemeral reply where the command was typed; through the command's response URL when the bot is not in the channel. */
async function replyEphemeral(client: WebClient, respond: RespondFn, channel: string, user: string, message: CommandReply): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks as never });
  } catch {
    await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks as never });
  }
}
