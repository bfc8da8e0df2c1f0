import { defangLinks } from '../../defang-links.js';
import { MAXIMUM_REASON_CHARACTERS, type ActionProposal } from '../../state/action-proposals.js';
import { button, escapeMrkdwn, section, truncate, type KnownBlock } from './limits.js';

export const PROPOSAL_ACTIONS = { requestApproval: 'proposal_request_approval' } as const;

/** Proposals one answer shows; an agent proposing more than this is not helping. */
const PROPOSALS_SHOWN = 5;

/** "rollback payment", "scale catalogue to 6 replicas", "delete-pod cart-7d9f… of cart". */
export function proposalText(proposal: ActionProposal): string {
  if (proposal.action === 'scale') return `scale ${proposal.service} to ${proposal.replicas} replicas`;
  if (proposal.action === 'delete-pod') return `delete pod ${proposal.pod} of ${proposal.service}`;
  if (proposal.action === 'rollback' && proposal.toImage) return `roll ${proposal.service} back to ${proposal.toImage}`;
  return `${proposal.action} ${proposal.service}`;
}

/**
 * A proposal's reason as it may be shown anywhere (answer, thread, audit): one line, at most
 * MAXIMUM_REASON_CHARACTERS, links defanged. The model wrote it from what the tools read, so it
 * is the estate's text at one remove and is never allowed to become a link or a second paragraph.
 */
export function proposalReasonText(reason: string): string {
  return truncate(defangLinks(reason.replace(/\s+/g, ' ').trim()), MAXIMUM_REASON_CHARACTERS);
}

/**
 * The proposals in an answer, each with a button that asks for its approval, until someone has.
 * Nothing runs from here: approving and running belong to an authorised engineer.
 */
export function proposalBlocks(proposals: readonly ActionProposal[]): KnownBlock[] {
  if (proposals.length === 0) return [];
  const blocks: KnownBlock[] = [section('*Proposed actions* — nothing runs until an authorised engineer approves')];
  for (const proposal of proposals.slice(0, PROPOSALS_SHOWN)) {
    const requested = proposal.approvalRequest ? ` · approval requested by <@${escapeMrkdwn(proposal.approvalRequest.by)}>` : '';
    const text = `*${escapeMrkdwn(proposalText(proposal))}* — ${escapeMrkdwn(proposalReasonText(proposal.reason))} (\`${escapeMrkdwn(proposal.id)}\`)${requested}`;
    const accessory = proposal.approvalRequest
      ? undefined
      : button({ actionId: PROPOSAL_ACTIONS.requestApproval, text: 'Request approval', value: proposal.id, accessibilityLabel: `Request approval to ${proposalText(proposal)}` });
    blocks.push(section(text, accessory));
  }
  return blocks;
}
