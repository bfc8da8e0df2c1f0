import { escapeMrkdwn } from './limits.js';

/**
 * A mrkdwn link, `<url|label>`, for http(s) URLs only: a payload's URL is not ours to trust, and
 * another scheme gives undefined. Characters that would end the link early are percent-encoded
 * in the URL; the label is escaped, with `|` shown as `¦`.
 */
export function slackLink(url: string, label: string): string | undefined {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return undefined;
  const safe = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${safe}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}
