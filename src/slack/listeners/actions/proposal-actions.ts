import type { App, BlockButtonAction } from '@slack/bolt';
import { escapeMrkdwn, fallbackText, section } from '../../blocks/limits.js';
import { ephemeralNotice } from '../../blocks/notice-message.js';
import { proposalText, PROPOSAL_ACTIONS } from '../../blocks/proposal-blocks.js';
import { slackAccess } from '../../slack-access.js';
import type { SlackServices } from '../../slack-services.js';

/**
 * "Request approval" beside a proposed action in an answer: the first click records who asked and
 * has a worker check and preview it (a server-side dry run, under the executor's rights); the
 * request, with its diff, risk, approvers and Approve / Reject, follows in the thread. Later
 * clicks (a double click, a second person) change nothing and tell the clicker who asked first.
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
    await services.stores.audit.append({ at: now, actor: body.user.id, action: 'request-approval', target: proposal.service, detail: `${proposal.id}: asked for approval to ${proposalText(proposal)}` });
    const healing = slackAccess(services, client).healing;
    if (!healing) return void respond(ephemeralNotice(`Approval of ${proposal.id} requested, but healing does not run in this bot: nothing can run from here.`));
    const channel = body.channel?.id;
    const message = body.message as { ts?: string; thread_ts?: string } | undefined;
    const threadTs = message?.thread_ts ?? message?.ts;
    await healing.requestProposal({
      request: { action: proposal.action, service: proposal.service, namespace: proposal.namespace, deployment: proposal.deployment, ...(proposal.replicas === undefined ? {} : { replicas: proposal.replicas }), ...(proposal.pod === undefined ? {} : { pod: proposal.pod }), ...(proposal.toImage === undefined ? {} : { toImage: proposal.toImage }) },
      reason: proposal.reason,
      requestedBy: body.user.id,
      severity: proposal.severity ?? 'warning',
      signals: proposal.signals ?? [],
      ...(channel && threadTs ? { thread: { channel, threadTs } } : {}),
    });
    await respond(ephemeralNotice(`Checking ${proposalText(proposal)} against the cluster (a server-side dry run); the request with its diff and Approve / Reject follows in this thread.`));
  });
}
