import type { types as SlackTypes } from '@slack/bolt';
import { redactSecrets } from '../../redact-secrets.js';

/*
 * Slack's Block Kit limits and the few helpers that enforce them. Every builder in this folder
 * makes its blocks through these constructors, so a long service name, a log line or five hundred
 * anomalies can make a message shorter but never make Slack reject it (`invalid_blocks`).
 */

export type KnownBlock = SlackTypes.KnownBlock;
export type HomeView = SlackTypes.HomeView;
export type SectionBlock = SlackTypes.SectionBlock;
export type ContextBlock = SlackTypes.ContextBlock;
export type HeaderBlock = SlackTypes.HeaderBlock;
export type Button = SlackTypes.Button;

/** A message ready for chat.postMessage, chat.update, respond() or say(). */
export interface BlockMessage {
  /** Plain-text fallback: notifications, screen readers, clients that cannot show blocks. */
  text: string;
  blocks: KnownBlock[];
}

export const SLACK_LIMITS = {
  messageBlocks: 50,
  homeViewBlocks: 100,
  sectionText: 3_000,
  headerText: 150,
  // Slack documents 75 characters for button text (the issue said 150; Slack rejects more than 75).
  buttonText: 75,
  buttonAccessibilityLabel: 75,
  buttonValue: 2_000,
  contextElements: 10,
  sectionFields: 10,
  fieldText: 2_000,
  /** Slack truncates the top-level `text` past 4,000 characters; we trim first so the note survives. */
  fallbackText: 4_000,
} as const;

const ELLIPSIS = '…';

/**
 * Escapes the three characters Slack treats as control sequences in mrkdwn and in a message's
 * top-level `text`, so derived text cannot ping `<!channel>`, mention `<@U…>` or forge links.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The text as written, from Slack's escaped form: for a terminal, where `&lt;*&gt;` would read as noise. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Shortens text to at most `maximum` characters, ending with an ellipsis. The cut never lands
 * inside an escape (`&amp;`), a Slack token (`<!date^…>`) or a surrogate pair, so the shortened
 * text still renders as intended. Secrets are redacted first: cut first, half a secret would be
 * left that no pattern recognises, and the redaction every Slack call gets could not find it.
 */
export function truncate(unredacted: string, maximum: number): string {
  const text = redactSecrets(unredacted);
  if (text.length <= maximum) return text;
  if (maximum <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, maximum));
  let end = maximum - ELLIPSIS.length;
  const openEntity = text.lastIndexOf('&', end - 1);
  if (openEntity >= 0 && !text.slice(openEntity, end).includes(';') && /^&[a-z]+;/.test(text.slice(openEntity))) end = openEntity;
  const openToken = text.lastIndexOf('<', end - 1);
  if (openToken >= 0 && !text.slice(openToken, end).includes('>') && /^<[!#@]/.test(text.slice(openToken))) end = openToken;
  const lastCode = text.charCodeAt(end - 1);
  if (lastCode >= 0xd800 && lastCode <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/**
 * Joins whole items within `maximum` characters; items that do not fit are replaced by a final
 * "… and N more" instead of being cut mid-way. A single item longer than `maximum` is truncated,
 * so the result is never empty when `items` is not.
 */
export function fitItems(items: readonly string[], maximum: number, separator: string): string {
  // Redacted whole first, so a secret spread over items (a key block's lines) is found as one.
  const joined = redactSecrets(items.join(separator));
  if (joined.length <= maximum) return joined;
  const kept: string[] = [];
  let length = 0;
  for (const [index, item] of items.entries()) {
    const hidden = items.length - index - 1;
    const note = hidden > 0 ? `${separator}${ELLIPSIS} and ${hidden} more` : '';
    const separatorLength = kept.length > 0 ? separator.length : 0;
    if (length + separatorLength + item.length + note.length > maximum) break;
    kept.push(item);
    length += separatorLength + item.length;
  }
  if (kept.length === 0) {
    const note = items.length > 1 ? `${separator}${ELLIPSIS} and ${items.length - 1} more` : '';
    return `${truncate(items[0] ?? '', maximum - note.length)}${note}`;
  }
  return `${kept.join(separator)}${separator}${ELLIPSIS} and ${items.length - kept.length} more`;
}

/** Whole lines within `maximum` characters, ending with "… and N more" when some are left out. */
export function fitLines(lines: readonly string[], maximum: number = SLACK_LIMITS.sectionText): string {
  return fitItems(lines, maximum, '\n');
}

/** "1 open incident", "3 open incidents": counts read naturally in every message. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** The plain-text fallback of a message: whole lines within Slack's 4,000 characters, never empty. */
export function fallbackText(lines: readonly string[]): string {
  const present = lines.filter((line) => line.length > 0);
  return fitLines(present.length > 0 ? present : ['(no content)'], SLACK_LIMITS.fallbackText);
}

/**
 * Keeps at most `maximum` blocks: when there are more, the last kept place goes to a context
 * block saying how many were left out, so readers know the list is incomplete.
 */
export function capBlocks(blocks: readonly KnownBlock[], maximum: number, itemName?: string): KnownBlock[] {
  if (blocks.length <= maximum) return [...blocks];
  if (maximum <= 0) return [];
  const kept = blocks.slice(0, maximum - 1);
  const hidden = blocks.length - kept.length;
  return [...kept, context([`${ELLIPSIS} ${hidden} more${itemName ? ` ${itemName}` : ''} not shown`])];
}

export function mrkdwn(text: string, maximum: number = SLACK_LIMITS.sectionText): SlackTypes.MrkdwnElement {
  // Slack rejects an empty text object; a lone space is the smallest text it accepts.
  return { type: 'mrkdwn', text: truncate(text, maximum) || ' ' };
}

export function plainText(text: string, maximum: number): SlackTypes.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, maximum) || ' ', emoji: true };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plainText(text, SLACK_LIMITS.headerText) };
}

/** A section of mrkdwn text (already escaped by the caller), with an optional button beside it. */
export function section(text: string, accessory?: Button): SectionBlock {
  return accessory ? { type: 'section', text: mrkdwn(text), accessory } : { type: 'section', text: mrkdwn(text) };
}

/** A section of label/value fields, shown two per row: at most 10, each at most 2,000 characters. */
export function fieldsSection(fields: readonly string[]): SectionBlock {
  return { type: 'section', fields: fields.slice(0, SLACK_LIMITS.sectionFields).map((field) => mrkdwn(field, SLACK_LIMITS.fieldText)) };
}

/** Small grey text under a message: at most 10 mrkdwn elements. */
export function context(texts: readonly string[]): ContextBlock {
  return { type: 'context', elements: texts.slice(0, SLACK_LIMITS.contextElements).map((text) => mrkdwn(text)) };
}

export function divider(): KnownBlock {
  return { type: 'divider' };
}

export interface ButtonOptions {
  actionId: string;
  text: string;
  value: string;
  /** What a screen reader says instead of `text`, e.g. the service the button is about. */
  accessibilityLabel?: string;
  style?: 'primary' | 'danger';
}

export function button(options: ButtonOptions): Button {
  const result: Button = {
    type: 'button',
    action_id: options.actionId,
    text: plainText(options.text, SLACK_LIMITS.buttonText),
    value: truncate(options.value, SLACK_LIMITS.buttonValue),
  };
  if (options.accessibilityLabel) result.accessibility_label = truncate(options.accessibilityLabel, SLACK_LIMITS.buttonAccessibilityLabel);
  if (options.style) result.style = options.style;
  return result;
}

/**
 * A time every reader sees in their own time zone (Slack's `<!date>` token), with a UTC fallback
 * for clients that cannot render it.
 */
export function slackDate(timestamp: number): string {
  const seconds = Math.floor(timestamp / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${utcText(timestamp)}>`;
}

/** The same instant as plain text, for fallbacks: "2024-05-01 14:03 UTC". */
export function utcText(timestamp: number): string {
  return `${new Date(timestamp).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago (or how far ahead) `timestamp` is from `now`: "just now", "12 min ago", "in 3 h". */
export function relativeTime(timestamp: number, now: number): string {
  const seconds = Math.round((now - timestamp) / 1000);
  const distance = Math.abs(seconds);
  if (distance < 60) return 'just now';
  const amount =
    distance < 3_600 ? `${Math.floor(distance / 60)} min` : distance < 86_400 ? `${Math.floor(distance / 3_600)} h` : `${Math.floor(distance / 86_400)} d`;
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** A time in blocks: the reader's local time and how long ago, e.g. "Today 14:03 (12 min ago)". */
export function whenMrkdwn(timestamp: number, now: number): string {
  return `${slackDate(timestamp)} (${relativeTime(timestamp, now)})`;
}
