import type { App, BlockButtonAction } from '@slack/bolt';
import { predictedExhaustion } from '../../predicted-exhaustion.js';
import { formatDuration } from '../../../duration.js';
import { INCIDENT_ACTIONS } from '../../blocks/incident-message.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import type { IncidentNotifier } from '../../incident-notifier.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';
import { answerInThread } from '../events/answer-in-thread.js';
import { runInThread } from '../events/run-in-thread.js';

/** Clicks on one incident's Investigate or Forecast button within this long post one answer: a double click, or two people at once. */
const ANSWERED_CLICK_SECONDS = 60;

/**
 * The buttons on an incident's root message. Each acknowledges at once, calls the incident use
 * case through AuthorisedIncidents (the owning team or the responders only), and answers the
 * clicker alone; the message itself is redrawn from the outbox.
 */
export function registerIncidentActions(app: App, services: SlackServices, notifier: Pick<IncidentNotifier, 'drain'>): void {
  const unknown = (id: string | undefined) => ephemeralNotice(`Incident ${id} is no longer known.`);

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.acknowledge, async ({ ack, action, body, respond, client }) => {
    await ack();
    const acknowledged = await slackAccess(services, client).incidents.acknowledge(action.value ?? '', body.user.id);
    if (acknowledged.outcome === 'refused') return void respond(ephemeralNotice(acknowledged.reason));
    if (acknowledged.outcome === 'unknown') return void respond(unknown(action.value));
    if (acknowledged.outcome === 'already') return void respond(ephemeralNotice(`${acknowledged.incident.id} was already acknowledged.`));
    // Shown at once by this process: the acknowledgement is on the message before the clicker looks again.
    await notifier.drain();
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.resolve, async ({ ack, action, body, respond, client }) => {
    await ack();
    const resolved = await slackAccess(services, client).incidents.resolve(action.value ?? '', body.user.id);
    if (resolved.outcome === 'refused') return void respond(ephemeralNotice(resolved.reason));
    if (resolved.outcome === 'unknown') return void respond(unknown(action.value));
    if (resolved.outcome === 'already') return void respond(ephemeralNotice(`${resolved.incident.id} was already resolved.`));
  });

  // A silence needs a reason people will read in the channel: the button checks the clicker may
  // silence this incident, then hands them the command to complete with one.
  app.action<BlockButtonAction>(INCIDENT_ACTIONS.silence, async ({ ack, action, body, respond, client }) => {
    await ack();
    const incident = await services.incidents.get(action.value ?? '');
    if (!incident) return void respond(unknown(action.value));
    const subject = incident.services.length > 0 ? `${incident.id} (${incident.services.join(', ')})` : incident.id;
    const decision = await slackAccess(services, client).access.mayAct(body.user.id, 'silence', incident.services, subject);
    if (!decision.allowed) return void respond(ephemeralNotice(decision.reason));
    const { member, responder } = services.catalogue.access.maximumSilence;
    const longest = formatDuration(decision.as === 'responder' ? responder : member);
    await respond(ephemeralNotice(`A silence needs a reason, announced in the channel: type \`/aiops silence ${incident.id} 1h what you are doing\` (at most ${longest}).`));
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.investigate, async ({ ack, action, body, client }) => {
    await ack();
    const incident = await services.incidents.get(action.value ?? '');
    const message = incident ? await services.stores.incidents.message(incident.id) : undefined;
    if (!incident || !message) return;
    if (!(await services.stores.claims.firstWithin(`investigate-button:${incident.id}`, ANSWERED_CLICK_SECONDS))) return;
    const subject = incident.origin ?? incident.services[0] ?? 'this incident';
    await answerInThread(client, { channel: message.channel, threadTs: message.ts, text: `why is ${subject} unhealthy?`, asker: body.user.id }, services);
  });

  app.action<BlockButtonAction>(INCIDENT_ACTIONS.forecast, async ({ ack, action, body, client }) => {
    await ack();
    const incident = await services.incidents.get(action.value ?? '');
    const message = incident ? await services.stores.incidents.message(incident.id) : undefined;
    const predicted = incident ? predictedExhaustion(incident) : undefined;
    if (!incident || !message || !predicted) return;
    if (!(await services.stores.claims.firstWithin(`forecast-button:${incident.id}`, ANSWERED_CLICK_SECONDS))) return;
    // As `/aiops forecast` for the clicker: the chart in the thread, or why not, within what they may see.
    await runInThread(client, { channel: message.channel, threadTs: message.ts, text: '', asker: body.user.id }, { kind: 'forecast', ...predicted, horizonHours: 24 }, services);
  });
}
