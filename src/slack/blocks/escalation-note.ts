import type { EscalationRule } from '../../catalogue.js';
import { escapeMrkdwn, fallbackText, section, type BlockMessage } from './limits.js';

/** The thread note when an escalation rule fires: which rule, the new severity, and the people it calls. */
export function escalationNote(rule: EscalationRule): BlockMessage {
  const conditions = [
    ...(rule.unacknowledgedFor !== undefined ? [`unacknowledged for ${Math.round(rule.unacknowledgedFor / 60_000)} min`] : []),
    ...(rule.minimumServices !== undefined ? [`spans ${rule.minimumServices}+ services`] : []),
  ];
  const raised = rule.raiseTo ? ` to *${rule.raiseTo}*` : '';
  // The mentions come from the catalogue, validated as Slack mention syntax: escaping would break them.
  const calls = rule.notify ? ` ${rule.notify}` : '';
  const text = `⏫ Escalated${raised} by rule “${escapeMrkdwn(rule.name)}” (${conditions.join(', ')}).${calls}`;
  return { text: fallbackText([text]), blocks: [section(text)] };
}
