import type { App, BlockButtonAction } from '@slack/bolt';
import { INCIDENT_ACTIONS } from '../../blocks/incident-message.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import type { IncidentNotifier } from '../../incident-notifier.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread } from '../events/answer-in-thread.js';

const SILENCE_MILLISECONDS = 3_600_000;

/**
 * The buttons on an incident's root message. Each acknowledges at once, calls the incident use
 * case, and answers the clicker alone; the message itself is redrawn from the outbox.
 */
export function registerIncidentActions(app: App, services: SlackServices, notifier: Pick<IncidentNotifier, 'drain'>): void {
  const unknown = (id: string | undefined) => ephemeralNotice(`Incident ${id} is no longer known.`);

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.acknowledge, async ({ ack, action, body, respond }) => {
    await ack();
    const acknowledged = await services.incidents.acknowledge(action.value ?? '', body.user.id);
    if (acknowledged.outcome === 'unknown') return void respond(unknown(action.value));
    if (acknowledged.outcome === 'already') return void respond(ephemeralNotice(`${acknowledged.incident.id} was already acknowledged.`));
    // Shown at once by this process: the acknowledgement is on the message before the clicker looks again.
    await notifier.drain();
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.resolve, async ({ ack, action, body, respond }) => {
    await ack();
    const resolved = await services.incidents.resolve(action.value ?? '', body.user.id);
    if (resolved.outcome === 'unknown') return void respond(unknown(action.value));
    if (resolved.outcome === 'already') return void respond(ephemeralNotice(`${resolved.incident.id} was already resolved.`));
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.silence, async ({ ack, action, body, respond }) => {
    await ack();
    // Only the incident the button belongs to: an id no longer known is not silenced as a bare target.
    const incident = await services.incidents.get(action.value ?? '');
    if (!incident) return void respond(unknown(action.value));
    const silenced = await services.incidents.silence(incident.id, SILENCE_MILLISECONDS, body.user.id);
    await respond(ephemeralNotice(`Silenced ${silenced.scope} for 1 h: new alerts there are held, and raised when the silence ends if still firing.`));
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.investigate, async ({ ack, action, client }) => {
    await ack();
    const incident = await services.incidents.get(action.value ?? '');
    const message = incident ? await services.stores.incidents.message(incident.id) : undefined;
    if (!incident || !message) return;
    const subject = incident.origin ?? incident.services[0] ?? 'this incident';
    await answerInThread(client, { channel: message.channel, threadTs: message.ts, text: `why is ${subject} unhealthy?` }, services);
  });
}
