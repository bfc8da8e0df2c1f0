import type { App } from '@slack/bolt';
import { estateStatusFor } from '../../estate-status-for.js';
import { claimOnce } from '../../../state/once.js';
import { homeView } from '../../blocks/home-view.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread, questionText } from './answer-in-thread.js';

/** Slack retries an event it thinks we missed; the same event_id within this long is a retry. */
const EVENT_MEMORY_SECONDS = 3_600;

export function register(app: App, services: SlackServices): void {
  // Slack retries unacknowledged or slow events with the same event_id (HTTP: X-Slack-Retry-Num;
  // Socket Mode: retry_attempt). The first delivery is answered; every retry is dropped here.
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string' && !(await claimOnce(services.redis, `${services.prefix}slack:event:${eventId}`, EVENT_MEMORY_SECONDS))) return;
    await next();
  });

  app.event('app_mention', async ({ event, client }) => {
    const text = questionText(event.text);
    await answerInThread(client, { channel: event.channel, threadTs: event.thread_ts ?? event.ts, text }, services);
  });

  app.message(async ({ message, client }) => {
    // Only people's direct messages: not edits, not joins, not bots (ourselves included).
    if (message.channel_type !== 'im' || message.subtype !== undefined || 'bot_id' in message) return;
    const text = questionText(message.text ?? '');
    if (text === '') return;
    await answerInThread(client, { channel: message.channel, threadTs: message.thread_ts ?? message.ts, text }, services);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await services.redis.zadd(`${services.prefix}slack:home-viewers`, Date.now(), event.user);
    await client.views.publish({ user_id: event.user, view: homeView(await estateStatusFor(services), { now: services.now() }) });
  });
}
