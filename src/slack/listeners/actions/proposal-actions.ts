import type { App, BlockButtonAction } from '@slack/bolt';
import { escapeMrkdwn, fallbackText, section } from '../../blocks/limits.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import { approvalRequestMessage, proposalReasonText, proposalText, PROPOSAL_ACTIONS } from '../../blocks/proposal-blocks.js';
import type { SlackServices } from '../../slack-services.js';

/**
 * "Request approval" beside a proposed action in an answer: the first click records who asked and
 * tells the thread, naming the owning team; later clicks (a double click, a second person) change
 * nothing and tell the clicker who asked first. Approving and running stay with an authorised engineer.
 */
export function registerProposalActions(app: App, services: SlackServices): void {
  app.action<BlockButtonAction>(PROPOSAL_ACTIONS.requestApproval, async ({ ack, action, body, client, respond }) => {
    await ack();
    const id = action.value ?? '';
    const now = services.now();
    const requested = await services.stores.proposals.requestApproval(id, body.user.id, now);
    if (!requested) return void respond(ephemeralNotice(`Proposal ${id} is no longer kept (proposals are kept for 7 days); ask again for a fresh one.`));
    const { proposal, first } = requested;
    if (!first) {
      // Built here rather than through noticeMessage, which escapes text: the mention must stay a mention.
      const text = `Approval of ${escapeMrkdwn(proposal.id)} was already requested by <@${escapeMrkdwn(proposal.approvalRequest!.by)}>; nothing changed.`;
      return void respond({ response_type: 'ephemeral', replace_original: false, text: fallbackText([text]), blocks: [section(text)] });
    }
    await services.stores.audit.append({ at: now, actor: body.user.id, action: 'request-approval', target: proposal.id, detail: `asked for approval to ${proposalText(proposal)}: ${proposalReasonText(proposal.reason)}` });
    const channel = body.channel?.id;
    const message = body.message as { ts?: string; thread_ts?: string } | undefined;
    const threadTs = message?.thread_ts ?? message?.ts;
    if (!channel || !threadTs) return void respond(ephemeralNotice(`Approval of ${proposal.id} requested.`));
    const team = services.catalogue.services[proposal.service]?.team;
    await services.pacer.send(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, ...approvalRequestMessage(proposal, body.user.id, team) }));
  });
}
