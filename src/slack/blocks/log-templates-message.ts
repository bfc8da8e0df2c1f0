import type { TemplateSummary, TemplateSummaryRow } from '../../logs/template-summary.js';
import { capBlocks, context, escapeMrkdwn, fallbackText, header, section, SLACK_LIMITS, truncate, type BlockMessage, type KnownBlock } from './limits.js';

/** Characters of a template or an example line shown: enough to recognise it, not a log viewer. */
const SHOWN_CHARACTERS = 300;

/**
 * What a service is logging: its top templates over a window, each with its count, how that
 * compares with the hour before, and one example line. For `/aiops logs` and incident threads.
 */
export function logTemplatesMessage(summary: TemplateSummary): BlockMessage {
  const minutes = Math.round((summary.end - summary.start) / 60_000);
  const title = `Log templates of ${summary.service}, last ${minutes} min`;
  if (summary.rows.length === 0) {
    const text = `${title}: no log lines mined in this window (is log mining running for it?)`;
    return { text: fallbackText([text]), blocks: [section(escapeMrkdwn(text))] };
  }
  const blocks: KnownBlock[] = [header(title), ...summary.rows.map((row) => section(rowMrkdwn(row)))];
  blocks.push(context([`${summary.totalLines} lines in all${summary.omitted > 0 ? ` · ${summary.omitted} more templates not shown` : ''} · compared with the hour before`]));
  const plain = [title, ...summary.rows.map((row) => `${row.count} × ${row.template} (${changeText(row)})`)];
  return { text: fallbackText(plain.map(escapeMrkdwn)), blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks, 'templates') };
}

function rowMrkdwn(row: TemplateSummaryRow): string {
  const level = row.level === 'error' || row.level === 'fatal' ? `*${row.level}*` : row.level;
  return truncate(
    `*${row.count}* × \`${escapeMrkdwn(truncate(row.template, SHOWN_CHARACTERS))}\` · ${level} · ${changeText(row)}\n_e.g._ ${escapeMrkdwn(truncate(row.example, SHOWN_CHARACTERS))}`,
    SLACK_LIMITS.sectionText,
  );
}

function changeText(row: TemplateSummaryRow): string {
  if (row.change === 'new') return '🆕 new';
  if (!Number.isFinite(row.change)) return 'none the hour before';
  return `×${row.change.toFixed(1)} the usual`;
}
