import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { estateStatus } from '../../../investigation/estate-status.js';
import { parseAiopsCommand } from '../../aiops-command.js';
import { helpMessage, usageMessage } from '../../blocks/help-message.js';
import { incidentsMessage } from '../../blocks/incidents-message.js';
import { logTemplatesMessage } from '../../blocks/log-templates-message.js';
import { noticeMessage } from '../../blocks/notice-message.js';
import { statusMessage } from '../../blocks/status-message.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread } from '../events/answer-in-thread.js';

interface Reply {
  text: string;
  blocks?: unknown[];
}

export function register(app: App, services: SlackServices): void {
  app.command('/aiops', async ({ command, ack, client, respond }) => {
    // Slack gives a slash command 3 seconds; acknowledge first, work after.
    await ack();
    const parsed = parseAiopsCommand(command.text, services.catalogue);
    const reply = (message: Reply) => replyEphemeral(client, respond, command.channel_id, command.user_id, message);
    switch (parsed.kind) {
      case 'help':
        return reply(helpMessage());
      case 'invalid':
        return reply(usageMessage(parsed.problem));
      case 'status':
        return reply(statusMessage(await estateStatus(services.status), { service: parsed.service, now: services.now() }));
      case 'incidents':
        return reply(incidentsMessage((await estateStatus(services.status)).incidents, { now: services.now() }));
      case 'audit': {
        const entries = await services.stores.audit.recent(15);
        const lines = entries.map((entry) => `${new Date(entry.at).toISOString().slice(0, 16).replace('T', ' ')} UTC  ${entry.actor}  ${entry.action} ${entry.target}: ${entry.detail}`);
        return reply(noticeMessage(lines.length > 0 ? `Recent actions:\n${lines.join('\n')}` : 'No actions recorded yet.'));
      }
      case 'silence': {
        const silenced = await services.incidents.silence(parsed.target, parsed.durationMilliseconds, command.user_id);
        const scope = silenced.incident ? `${silenced.incident.id} (${silenced.scope})` : silenced.scope;
        return reply(noticeMessage(`Silenced ${scope} for ${parsed.durationText}: new alerts for it are held, and raised when the silence ends if still firing.`));
      }
      case 'logs':
        return reply(logTemplatesMessage(await services.stores.minedLogs.templateSummary(parsed.service, { now: services.now(), minutes: parsed.minutes })));
      case 'forecast':
        return reply(noticeMessage(`Capacity forecasts are not part of this version yet; ${parsed.service} is watched for exhaustion of its memory and CPU limits meanwhile.`));
      case 'ask': {
        try {
          const asked = await services.pacer.send(command.channel_id, () =>
            client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked: ${parsed.question.replace(/[<>&]/g, '')}` }),
          );
          await answerInThread(client, { channel: command.channel_id, threadTs: asked.ts!, text: parsed.question }, services);
        } catch (error) {
          services.logger.warn({ channel: command.channel_id, error: (error as Error).message }, 'cannot post the question in the channel');
          await reply(noticeMessage('I cannot post in this channel: invite me with `/invite @aiops`, or ask me in a direct message.'));
        }
        return;
      }
    }
  });
}

/** An ephemeral reply where the command was typed; through the command's response URL when the bot is not in the channel. */
async function replyEphemeral(client: WebClient, respond: RespondFn, channel: string, user: string, message: Reply): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks as never });
  } catch {
    await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks as never });
  }
}
