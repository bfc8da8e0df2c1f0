import { GROUP_TARGET_PREFIX, type ReleasedAlert } from '../../alerts/suppression.js';
import { utcText } from './limits.js';

/** Alerts named per line before "and N more". */
const NAMED = 3;

/**
 * Context lines for an incident's message saying which of its alerts were held back by a silence
 * or a maintenance window, from when to when, and that they were still firing when it ended: one
 * line per silence or window, e.g. "Held back from 2024-05-14 10:05 UTC to 2024-05-14 11:05 UTC by
 * a silence on payment set by U0SRE; still firing when it ended: payment latency high". Plain
 * text: the message escapes context lines.
 */
export function heldBackContext(released: readonly ReleasedAlert[]): string[] {
  const byCause = new Map<string, ReleasedAlert[]>();
  for (const record of [...released].sort((left, right) => left.heldSince - right.heldSince || left.fingerprint.localeCompare(right.fingerprint))) {
    const key = `${describeHold(record)}|${record.heldUntil}`;
    byCause.set(key, [...(byCause.get(key) ?? []), record]);
  }
  return [...byCause.values()].map((records) => {
    const first = records[0]!;
    const from = Math.min(...records.map((record) => record.heldSince));
    const named = records.slice(0, NAMED).map((record) => record.summary);
    const more = records.length > NAMED ? ` and ${records.length - NAMED} more` : '';
    return `Held back from ${utcText(from)} to ${utcText(first.heldUntil)} by ${describeHold(first)}; still firing when it ended: ${named.join('; ')}${more}`;
  });
}

function describeHold({ cause, fingerprint }: ReleasedAlert): string {
  if (cause.kind === 'maintenance') return `a maintenance window${cause.reason ? ` (${cause.reason})` : ''}`;
  const target = cause.target === fingerprint ? 'the alert' : cause.target.startsWith(GROUP_TARGET_PREFIX) ? 'its Alertmanager group' : cause.target;
  return `a silence on ${target} set by ${cause.by}`;
}
