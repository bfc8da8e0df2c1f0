import type { App } from '@slack/bolt';
import { estateStatus } from '../../../investigation/estate-status.js';
import { homeViewFor } from '../../home-view-for.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread, questionText } from './answer-in-thread.js';

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
    await answerInThread(client, { channel: event.channel, threadTs: event.thread_ts ?? event.ts, text, asker: event.user ?? '' }, services);
  });

  app.message(async ({ message, client }) => {
    // Only people's direct messages: not edits, not joins, not bots (ourselves included).
    if (message.channel_type !== 'im' || message.subtype !== undefined || 'bot_id' in message) return;
    const text = questionText(message.text ?? '');
    if (text === '') return;
    await answerInThread(client, { channel: message.channel, threadTs: message.thread_ts ?? message.ts, text, asker: message.user }, services);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await services.stores.homeViewers.opened(event.user, Date.now());
    const visibility = await slackAccess(services, client).access.visibility(event.user);
    await client.views.publish({ user_id: event.user, view: await homeViewFor(services, await estateStatus(services.status), visibility) });
  });
}
