import { escapeMrkdwn, fallbackText, section, type BlockMessage } from './limits.js';

/**
 * A short reply for one person (a mistake they made, a confirmation). The text is escaped, so
 * echoing what someone typed cannot ping a channel; backticks and bold still format.
 */
export function noticeMessage(text: string): BlockMessage {
  const escaped = escapeMrkdwn(text);
  return { text: fallbackText([escaped]), blocks: [section(escaped)] };
}

/** A button's answer to the clicker alone, leaving the message that carries the button as it is. */
export function ephemeralNotice(text: string) {
  return { response_type: 'ephemeral' as const, replace_original: false, ...noticeMessage(text) };
}
