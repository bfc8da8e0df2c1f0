import type { ResolutionSummary } from '../../incidents/resolution-summary.js';
import { describeDuration } from '../../duration.js';
import { context, escapeMrkdwn, fallbackText, fitLines, section, SLACK_LIMITS, utcText, type BlockMessage, type KnownBlock } from './limits.js';

/** Honest labels, as for answers: a reader should know whether a model wrote the summary. */
const WRITTEN_BY = {
  llm: 'Summary written by the LLM from the incident record',
  record: 'Summary from the incident record — no LLM configured or it did not answer',
} as const;

/** The thread's closing note: duration, root cause, what was done and what followed, the timeline. */
export function resolutionMessage(summary: ResolutionSummary): BlockMessage {
  const by = summary.resolvedBy ? ` by <@${escapeMrkdwn(summary.resolvedBy)}>` : '';
  const headline = `✅ *Resolved after ${describeDuration(summary.durationMilliseconds)}*${by}`;
  const rootCause = summary.rootCause
    ? `*Root cause:* ${escapeMrkdwn(summary.rootCause.service)}${summary.rootCause.evidence ? ` — ${escapeMrkdwn(summary.rootCause.evidence)}` : ''}`
    : '*Root cause:* not established';
  const actions =
    summary.actions.length > 0
      ? `*Actions*\n${fitLines(summary.actions.map((action) => `• ${timeOf(action.at)} ${escapeMrkdwn(action.text)} — ${escapeMrkdwn(action.effect)}`), SLACK_LIMITS.sectionText - 20)}`
      : '*Actions:* no change to the affected services was recorded while the incident was open';
  const timeline = `*Timeline (UTC)*\n${fitLines(summary.timeline.map((entry) => `${timeOf(entry.at)} ${escapeMrkdwn(entry.text)}`), SLACK_LIMITS.sectionText - 30)}`;
  const blocks: KnownBlock[] = [section(headline)];
  if (summary.narrative) blocks.push(section(escapeMrkdwn(summary.narrative)));
  blocks.push(section(rootCause), section(actions), section(timeline), context([summary.narrative ? WRITTEN_BY.llm : WRITTEN_BY.record]));
  const plain = [
    `✅ Resolved after ${describeDuration(summary.durationMilliseconds)}${by}`,
    ...(summary.narrative ? [summary.narrative] : []),
    summary.rootCause ? `Root cause: ${summary.rootCause.service}` : 'Root cause: not established',
    ...summary.actions.map((action) => `${action.text} — ${action.effect}`),
  ];
  return { text: fallbackText(plain), blocks };
}

function timeOf(timestamp: number): string {
  return utcText(timestamp).slice(11, 16);
}
