import { remediationText } from '../../healing/remediation-text.js';
import type { RemediationRecord } from '../../state/remediation-requests.js';
import { proposalReasonText } from './proposal-blocks.js';
import { button, context, escapeMrkdwn, fallbackText, section, slackDate, truncate, type BlockMessage, type KnownBlock } from './limits.js';

export const REMEDIATION_BUTTONS = { approve: 'remediation_approve', reject: 'remediation_reject' } as const;

const RULE_WORDS = { auto: 'runs without approval (policy: auto)', approve: 'needs one approver', 'approve-2': 'needs two different approvers, neither the requester', forbidden: 'forbidden by policy' } as const;
/** Lines of the dry run's diff shown; a template replacement is summarised, not dumped. */
const DIFF_LINES = 8;

/** "<@U123>" for people, "the engine" for the bot. */
function who(user: string): string {
  return user === 'aiops' ? 'the engine' : `<@${escapeMrkdwn(user)}>`;
}

/**
 * A remediation request as its thread shows it: what will run, why, the dry run's diff, the risk,
 * who may approve and until when, with Approve and Reject while it is pending. The buttons carry
 * the request's id only; what it means is read from Redis on every click. Once decided, the same
 * message says who decided when, and the buttons are gone.
 */
export function remediationRequestMessage(record: RemediationRecord, approvers: readonly string[], now: number): BlockMessage & { unfurl_links: false; unfurl_media: false } {
  const what = remediationText(record.request);
  const title = `${statusIcon(record)} *${escapeMrkdwn(what)}* (\`${escapeMrkdwn(record.id)}\`, ${escapeMrkdwn(record.request.namespace)}/${escapeMrkdwn(record.request.deployment)})`;
  const diff = record.diff.slice(0, DIFF_LINES).map((line) => `• ${escapeMrkdwn(truncate(line, 200))}`);
  const blocks: KnownBlock[] = [
    section(title),
    section(`*Why:* ${escapeMrkdwn(proposalReasonText(record.reason))}`),
    section(`*Dry run* (\`dryRun=All\`): ${escapeMrkdwn(truncate(record.preview, 300))}\n${diff.join('\n')}`),
    section(`*Risk:* ${escapeMrkdwn(record.risk)}\n*Verify:* ${escapeMrkdwn(record.verificationPlan)}`),
  ];
  const approverText = approvers.length > 0 ? approvers.map((principal) => (principal.startsWith('S') ? `<!subteam^${escapeMrkdwn(principal)}>` : `<@${escapeMrkdwn(principal)}>`)).join(', ') : 'nobody (healing.approvers names no one)';
  blocks.push(context([`Requested by ${who(record.requestedBy)} · ${RULE_WORDS[record.rule]} · approvers: ${approverText}`]));
  blocks.push(section(statusLine(record, now)));
  if (record.status === 'pending' && now < record.expiresAt) {
    blocks.push({
      type: 'actions',
      block_id: `remediation:${record.id}`,
      elements: [
        { ...button({ actionId: REMEDIATION_BUTTONS.approve, text: 'Approve', value: record.id, accessibilityLabel: `Approve ${what}` }), style: 'primary' },
        { ...button({ actionId: REMEDIATION_BUTTONS.reject, text: 'Reject', value: record.id, accessibilityLabel: `Reject ${what}` }), style: 'danger' },
      ],
    });
  }
  return { text: fallbackText([`${record.id}: ${what} — ${plainStatus(record)}`]), blocks, unfurl_links: false, unfurl_media: false };
}

function statusIcon(record: RemediationRecord): string {
  switch (record.status) {
    case 'pending':
    case 'approved':
    case 'executing':
      return '🛠️';
    case 'done':
      return record.verification ? (record.verification.helped ? '✅' : '⚠️') : '✅';
    default:
      return '⛔';
  }
}

/** Where the request stands, with who decided when. */
function statusLine(record: RemediationRecord, now: number): string {
  const approvals = record.approvals.map((approval) => `${who(approval.by)} at ${slackDate(approval.at)}`).join(', ');
  switch (record.status) {
    case 'pending':
      if (now >= record.expiresAt) return `*Expired* at ${slackDate(record.expiresAt)} without enough approvals; nothing ran.`;
      return `*Waiting for approval* until ${slackDate(record.expiresAt)}${approvals ? ` · approved so far by ${approvals}` : ''}. Nothing runs before.`;
    case 'approved':
      return `*Approved* by ${approvals}; queued to run.`;
    case 'executing':
      return `*Approved* by ${approvals}; running now.`;
    case 'done': {
      const ran = `*Done*${record.execution?.dryRun ? ' (dry-run mode: nothing was written)' : ''}: ${escapeMrkdwn(record.execution?.outcome ?? '')} · approved by ${approvals}`;
      const verified = record.verification ? `\n*Verified* at ${slackDate(record.verification.at)}: ${record.verification.helped ? 'it helped' : 'it did not help'} — ${escapeMrkdwn(record.verification.lines.join('; '))}` : '';
      return ran + verified;
    }
    case 'failed':
      return `*Failed*: ${escapeMrkdwn(record.problem ?? '')} · approved by ${approvals}`;
    case 'rejected':
      return `*Rejected* by ${who(record.rejection!.by)} at ${slackDate(record.rejection!.at)}; nothing ran.`;
    case 'expired':
      return `*Expired* at ${slackDate(record.expiresAt)} without enough approvals; nothing ran.`;
    case 'void':
      return `*Void*: ${escapeMrkdwn(record.problem ?? '')}; nothing ran.`;
  }
}

function plainStatus(record: RemediationRecord): string {
  return record.status === 'pending' ? 'waiting for approval' : record.status;
}
