import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { approversFor } from '../../../healing/healing-policy.js';
import type { ApproveResult, RejectResult } from '../../../healing/remediation-transitions.js';
import type { RemediationRecord } from '../../../state/remediation-requests.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import { REMEDIATION_BUTTONS, remediationRequestMessage } from '../../blocks/remediation-request-message.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';

/** What the clicker alone is told, by outcome; the message itself shows the state to everyone. */
const APPROVE_REPLIES: Record<ApproveResult['kind'], (record: RemediationRecord) => string> = {
  approved: (record) => `Approved ${record.id}: it runs once, now, and its thread reports the outcome.`,
  recorded: (record) => `Your approval of ${record.id} is recorded; it needs one more approver, not you and not the requester.`,
  'already-approved': (record) => `You approved ${record.id} already; nothing changed.`,
  requester: (record) => `You requested ${record.id}; it needs two other approvers (policy: approve-2). Nothing changed.`,
  expired: (record) => `${record.id} expired; nothing ran. Ask again for a fresh request.`,
  decided: (record) => `${record.id} is ${record.status} already; nothing changed.`,
  tampered: (record) => `${record.id} no longer matches what was previewed; refused. Ask again for a fresh request.`,
};

const REJECT_REPLIES: Record<RejectResult['kind'], (record: RemediationRecord) => string> = {
  rejected: (record) => `Rejected ${record.id}; it will not run.`,
  expired: (record) => `${record.id} expired already; nothing ran.`,
  decided: (record) => `${record.id} is ${record.status} already; nothing changed.`,
};

/**
 * Approve and Reject on a remediation request. The button carries the request's id, nothing
 * else: who may decide is checked on the server against the clicking user's id, and the request's
 * state is read from Redis on every click, so a forged or replayed payload, a double click, a
 * second replica or a second approver at the same moment changes nothing the state machine does
 * not allow. Anyone else gets an ephemeral refusal; the message shows who decided when.
 */
export function registerRemediationActions(app: App, services: SlackServices): void {
  const handle = (verb: 'approve' | 'reject') =>
    async ({ ack, action, body, client, respond }: { ack: () => Promise<void>; action: BlockButtonAction['actions'][number]; body: BlockButtonAction; client: WebClient; respond: (message: ReturnType<typeof ephemeralNotice>) => Promise<unknown> }) => {
      await ack();
      const healing = slackAccess(services, client).healing;
      const id = 'value' in action ? (action.value ?? '') : '';
      if (!healing) return void (await respond(ephemeralNotice('Healing does not run in this bot; nothing changed.')));
      const outcome = verb === 'approve' ? await healing.approve(id, body.user.id) : await healing.reject(id, body.user.id);
      if (!outcome.allowed) return void (await respond(ephemeralNotice(`${outcome.reason} Nothing changed.`)));
      if (outcome.missing || !outcome.record || !outcome.result) return void (await respond(ephemeralNotice(`Request ${id} is not kept any more; nothing changed.`)));
      const record = outcome.record;
      if (record.message) {
        await services.pacer.send(record.message.channel, () =>
          client.chat.update({ channel: record.message!.channel, ts: record.message!.ts, ...remediationRequestMessage(record, approversFor(services.catalogue.healing, record.request.namespace), services.now()) }),
        );
      }
      const reply = verb === 'approve' ? APPROVE_REPLIES[(outcome.result as ApproveResult).kind](record) : REJECT_REPLIES[(outcome.result as RejectResult).kind](record);
      await respond(ephemeralNotice(reply));
    };
  app.action<BlockButtonAction>(REMEDIATION_BUTTONS.approve, handle('approve'));
  app.action<BlockButtonAction>(REMEDIATION_BUTTONS.reject, handle('reject'));
}
