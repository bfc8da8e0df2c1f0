import type { LogLevel } from './log-entry.js';
import { totalCounts, type TemplateCounts, type TemplateDetails } from './template-counts.js';

/**
 * "Top templates for a service in the last 15 minutes": what an agent tool returns and an
 * incident attaches. Each row says how the window compares with the same length of time at the
 * usual rate (the mean over the baseline buckets), so "new" and "x12" read at a glance.
 */

export interface TemplateSummaryRow {
  templateId: string;
  template: string;
  level: LogLevel;
  /** Lines in the window. */
  count: number;
  /** Lines the window would hold at the baseline's mean rate. */
  baselineCount: number;
  /** `new`: never seen before the window; otherwise count ÷ baselineCount (Infinity when that is 0). */
  change: 'new' | number;
  example: string;
}

export interface TemplateSummary {
  service: string;
  /** Window, milliseconds since the Unix epoch, end exclusive. */
  start: number;
  end: number;
  /** Lines in the window, all templates. */
  totalLines: number;
  /** Templates in the window, most lines first, at most `limit`. */
  rows: TemplateSummaryRow[];
  /** Templates left out by the limit. */
  omitted: number;
}

export interface TemplateSummaryInput {
  service: string;
  start: number;
  end: number;
  /** Start of the baseline, which ends where the window starts. */
  baselineStart: number;
  /** The window's counts, in buckets of any length. */
  window: readonly TemplateCounts[];
  /** The baseline's counts (the usual rates), in buckets of any length. */
  baseline: readonly TemplateCounts[];
  details: ReadonlyMap<string, TemplateDetails>;
  /** Rows kept (default 10). */
  limit?: number;
}

export function summariseTemplates(input: TemplateSummaryInput): TemplateSummary {
  const limit = input.limit ?? 10;
  const windowTotals = totalCounts(input.window);
  const baselineTotals = totalCounts(input.baseline);
  const scale = input.start > input.baselineStart ? (input.end - input.start) / (input.start - input.baselineStart) : 0;
  const rows: TemplateSummaryRow[] = [];
  let totalLines = 0;
  for (const [templateId, count] of windowTotals) {
    if (count <= 0) continue;
    totalLines += count;
    const details = input.details.get(templateId);
    const baselineCount = (baselineTotals.get(templateId) ?? 0) * scale;
    const isNew = details ? details.firstSeen >= input.start : baselineCount === 0;
    rows.push({
      templateId,
      template: details?.template ?? templateId,
      level: details?.level ?? 'info',
      count,
      baselineCount,
      change: isNew ? 'new' : baselineCount === 0 ? Number.POSITIVE_INFINITY : count / baselineCount,
      example: details?.example ?? '',
    });
  }
  rows.sort((left, right) => right.count - left.count || left.templateId.localeCompare(right.templateId));
  return { service: input.service, start: input.start, end: input.end, totalLines, rows: rows.slice(0, limit), omitted: Math.max(0, rows.length - limit) };
}

/** The summary as lines of text, for an incident attachment or a tool answer read by a model. */
export function templateSummaryText(summary: TemplateSummary): string {
  const minutes = Math.round((summary.end - summary.start) / 60_000);
  const header = `Top log templates for ${summary.service} in the last ${minutes} minutes (${summary.totalLines} lines):`;
  if (summary.rows.length === 0) return `${header}\n(no log lines)`;
  const lines = summary.rows.map((row) => {
    const change = row.change === 'new' ? 'new' : Number.isFinite(row.change) ? `x${row.change.toFixed(1)} vs usual` : 'usually none';
    return `- ${row.count} × [${row.level}] ${row.template} (${change})\n  e.g. ${row.example}`;
  });
  if (summary.omitted > 0) lines.push(`… and ${summary.omitted} more templates`);
  return [header, ...lines].join('\n');
}
