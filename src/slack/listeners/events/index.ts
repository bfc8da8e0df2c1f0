import type { App } from '@slack/bolt';
import { estateStatus } from '../../../investigation/estate-status.js';
import { homeViewFor } from '../../home-view-for.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';
import type { WebClient } from '@slack/web-api';
import { commandInMessage } from '../../aiops-command.js';
import { answerInThread, questionText, type Question } from './answer-in-thread.js';
import { runInThread } from './run-in-thread.js';

export function register(app: App, services: SlackServices): void {
  // Slack retries unacknowledged or slow events with the same event_id (HTTP: X-Slack-Retry-Num;
  // Socket Mode: retry_attempt). The first delivery is answered; every retry is dropped here.
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string' && !(await services.stores.slackDeliveries.first(eventId))) return;
    await next();
  });

  app.event('app_mention', async ({ event, client }) => {
    const text = questionText(event.text);
    await answerOrRun(client, { channel: event.channel, threadTs: event.thread_ts ?? event.ts, text, asker: event.user ?? '' }, services);
  });

  app.message(async ({ message, client }) => {
    // Only people's direct messages: not edits, not joins, not bots (ourselves included).
    if (message.channel_type !== 'im' || message.subtype !== undefined || 'bot_id' in message) return;
    const text = questionText(message.text ?? '');
    if (text === '') return;
    await answerOrRun(client, { channel: message.channel, threadTs: message.thread_ts ?? message.ts, text, asker: message.user }, services);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await services.stores.homeViewers.opened(event.user, Date.now());
    const visibility = await slackAccess(services, client).access.visibility(event.user);
    await client.views.publish({ user_id: event.user, view: await homeViewFor(services, await estateStatus(services.status), visibility) });
  });
}

/**
 * A command said to the bot ("@aiops status payment", a DM saying "incidents") runs as `/aiops`
 * would, for the person who said it, and answers in the thread; anything else is a question.
 */
async function answerOrRun(client: WebClient, question: Question, services: SlackServices): Promise<void> {
  const command = commandInMessage(question.text, services.catalogue);
  return command ? runInThread(client, question, command, services) : answerInThread(client, question, services);
}
