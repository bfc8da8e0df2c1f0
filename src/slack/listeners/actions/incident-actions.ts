import type { App, BlockButtonAction } from '@slack/bolt';
import { describeSilenceScope, silenceTargetsForIncident } from '../../../alerts/suppression.js';
import { INCIDENT_ACTIONS } from '../../blocks/incident-message.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import type { IncidentNotifier } from '../../incident-notifier.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread } from '../events/answer-in-thread.js';

const SILENCE_MILLISECONDS = 3_600_000;

/** The buttons on an incident's root message. Each acknowledges at once and answers the clicker alone. */
export function registerIncidentActions(app: App, services: SlackServices, notifier: IncidentNotifier): void {
  const incidentOf = async (id: string) => (services.incidents ? await services.incidents.get(id) : undefined);

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.acknowledge, async ({ ack, action, body, respond }) => {
    await ack();
    const incident = await incidentOf(action.value ?? '');
    if (!incident || !services.acknowledgements) return void respond(ephemeralNotice(`Incident ${action.value} is no longer known.`));
    const now = services.now();
    const first = await services.acknowledgements.acknowledge(incident.id, { by: body.user.id, at: now });
    if (!first) return void respond(ephemeralNotice(`${incident.id} was already acknowledged.`));
    await services.audit.append({ at: now, actor: body.user.id, action: 'acknowledge', target: incident.id, detail: `acknowledged ${incident.id} (${incident.services.join(', ')})` });
    await notifier.refresh(incident.id);
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.resolve, async ({ ack, action, body, respond }) => {
    await ack();
    const incident = await incidentOf(action.value ?? '');
    if (!incident || !services.incidents) return void respond(ephemeralNotice(`Incident ${action.value} is no longer known.`));
    const now = services.now();
    const change = await services.incidents.resolve(incident.id, body.user.id, now);
    if (!change) return void respond(ephemeralNotice(`${incident.id} was already resolved.`));
    // The store queued the change for Slack with the resolution itself, like any correlation change:
    // whichever process holds the notifier edits the root message and notes it in the thread, in order.
    await services.audit.append({ at: now, actor: body.user.id, action: 'resolve', target: incident.id, detail: `resolved ${incident.id} (${incident.services.join(', ')}) by hand` });
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.silence, async ({ ack, action, body, respond }) => {
    await ack();
    const incident = await incidentOf(action.value ?? '');
    if (!incident) return void respond(ephemeralNotice(`Incident ${action.value} is no longer known.`));
    const now = services.now();
    // Its services, and its uncatalogued alerts by fingerprint and Alertmanager group.
    const until = now + SILENCE_MILLISECONDS;
    await services.silences.addAll(silenceTargetsForIncident(incident).map((target) => ({ target, until, by: body.user.id, createdAt: now })), now);
    const scope = describeSilenceScope(incident);
    await services.audit.append({ at: now, actor: body.user.id, action: 'silence', target: incident.id, detail: `silenced ${scope} for 1h` });
    await respond(ephemeralNotice(`Silenced ${scope} for 1 h: new alerts there are held, and raised when the silence ends if still firing.`));
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.investigate, async ({ ack, action, client }) => {
    await ack();
    const incident = await incidentOf(action.value ?? '');
    const message = incident && services.incidents ? await services.incidents.message(incident.id) : undefined;
    if (!incident || !message) return;
    const subject = incident.origin ?? incident.services[0] ?? 'this incident';
    await answerInThread(client, { channel: message.channel, threadTs: message.ts, text: `why is ${subject} unhealthy?` }, services);
  });
}
