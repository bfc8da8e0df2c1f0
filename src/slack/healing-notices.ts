import type { WebClient } from '@slack/web-api';
import type { Catalogue } from '../catalogue.js';
import type { Healing, HealingNotice } from '../healing/healing.js';
import { approversFor } from '../healing/healing-policy.js';
import { remediationText } from '../healing/remediation-text.js';
import type { RemediationRecord } from '../state/remediation-requests.js';
import { escapeMrkdwn, fallbackText, section } from './blocks/limits.js';
import { remediationRequestMessage } from './blocks/remediation-request-message.js';
import type { ChannelPacer } from './channel-pacer.js';

export interface HealingNoticeDependencies {
  client: WebClient;
  healing: Healing;
  catalogue: Catalogue;
  pacer: ChannelPacer;
  now: () => number;
}

/**
 * Shows in Slack what became of a request: a new request is posted in its thread (and its
 * message remembered), later steps edit that message and add a line to the thread; what did not
 * help or failed calls the responders.
 */
export async function deliverHealingNotice(notice: HealingNotice, dependencies: HealingNoticeDependencies): Promise<void> {
  const { client, pacer, catalogue, now } = dependencies;
  const post = (channel: string, threadTs: string, text: string) =>
    pacer.send(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, text: fallbackText([text]), blocks: [section(text)], unfurl_links: false, unfurl_media: false }));
  const requestMessage = (record: RemediationRecord) => remediationRequestMessage(record, approversFor(catalogue.healing, record.request.namespace), now());

  if (notice.kind === 'requested') {
    if (!notice.thread || notice.record.message) return;
    const { channel, threadTs } = notice.thread;
    const posted = await pacer.send(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, ...requestMessage(notice.record) }));
    if (posted.ts) await dependencies.healing.attachMessage(notice.record.id, { channel, ts: posted.ts, threadTs });
    return;
  }
  if (notice.kind === 'already-requested') {
    if (!notice.thread) return;
    const where = notice.record.message ? ` in <#${notice.record.message.channel}>` : '';
    await post(notice.thread.channel, notice.thread.threadTs, `${notice.record.id} already asks to ${escapeMrkdwn(remediationText(notice.record.request))} (${notice.record.status})${where}; decide it there.`);
    return;
  }
  if (notice.kind === 'not-proposed') {
    if (notice.thread) await post(notice.thread.channel, notice.thread.threadTs, `No action requested to ${escapeMrkdwn(remediationText(notice.request))}: ${escapeMrkdwn(notice.problem)}.`);
    return;
  }
  const record = notice.record;
  const message = record.message;
  if (!message) return;
  await pacer.send(message.channel, () => client.chat.update({ channel: message.channel, ts: message.ts, ...requestMessage(record) }));
  const threadTs = message.threadTs ?? message.ts;
  const responders = escalationMentions(catalogue);
  switch (notice.kind) {
    case 'executed': {
      const verifyIn = Math.round(catalogue.healing.verifyAfter / 60_000);
      const dryRun = record.execution?.dryRun ? ' Dry-run mode: nothing was written, so nothing is verified.' : ` I read its signals again in ${verifyIn} min.`;
      return void (await post(message.channel, threadTs, `▶️ ${record.id} ran once: ${escapeMrkdwn(record.execution?.outcome ?? '')}.${dryRun}`));
    }
    case 'failed':
      return void (await post(message.channel, threadTs, `❌ ${record.id} failed: ${escapeMrkdwn(record.problem ?? '')}. ${responders}a person needs to take this over.`));
    case 'void':
      return void (await post(message.channel, threadTs, `⛔ ${record.id} did not run: ${escapeMrkdwn(record.problem ?? '')}. Checking it again against the target as it is now.`));
    case 'verified': {
      const verification = record.verification!;
      const lines = escapeMrkdwn(verification.lines.join('; '));
      if (verification.helped) return void (await post(message.channel, threadTs, `✅ ${record.id} helped: ${lines}.`));
      const breaker = (notice.unhelpful ?? 0) >= catalogue.healing.limits.unhelpfulBeforeEscalation ? ` It did not help ${notice.unhelpful} times in a row, so I will not propose it for ${escapeMrkdwn(record.request.service)} again.` : '';
      return void (await post(message.channel, threadTs, `⚠️ ${record.id} did not help: ${lines}.${breaker} ${responders}escalating to a person.`));
    }
  }
}

/** The responders as mentions, "<!subteam^S…> " (with a trailing space), or nothing. */
function escalationMentions(catalogue: Catalogue): string {
  const mentions = catalogue.access.responders.map((principal) => (principal.startsWith('S') ? `<!subteam^${escapeMrkdwn(principal)}>` : `<@${escapeMrkdwn(principal)}>`));
  return mentions.length > 0 ? `${mentions.join(' ')}: ` : '';
}
