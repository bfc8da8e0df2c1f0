/** The agent's answer, read back from the layout the system prompt asks for. */
export interface ParsedAgentAnswer {
  /** The service named on the `Root cause:` line; undefined for "none found" or a missing line. */
  rootCause?: string;
  /** The `Root cause:` line without its label ("order-service — pool exhausted since the 14:02 deploy"), or the first line. */
  summary: string;
  evidence: string[];
  actions: string[];
}

const NONE_FOUND = /^(none|none found|unknown|no root cause|not found|n\/a)\b/i;

/**
 * Splits an answer into root cause, evidence and actions. Tolerant of what models do with a
 * layout: markdown bold and headings, `*`/`•`/numbered bullets, a hyphen or colon instead of the
 * dash, extra prose before the first line.
 */
export function parseAgentAnswer(text: string): ParsedAgentAnswer {
  const lines = text.split(/\r?\n/).map((line) => plain(line));
  const evidence: string[] = [];
  const actions: string[] = [];
  let section: 'none' | 'evidence' | 'actions' = 'none';
  let rootCauseLine: string | undefined;
  for (const line of lines) {
    if (line === '') continue;
    const rootCause = /^root cause\s*:\s*(.*)$/i.exec(line);
    if (rootCause && rootCauseLine === undefined) {
      rootCauseLine = rootCause[1]?.trim() ?? '';
      section = 'none';
      continue;
    }
    const heading = /^(evidence|what to do|next steps|actions|recommendations?)\s*:\s*(.*)$/i.exec(line);
    if (heading) {
      section = heading[1]?.toLowerCase() === 'evidence' ? 'evidence' : 'actions';
      const rest = heading[2]?.trim();
      if (rest) (section === 'evidence' ? evidence : actions).push(rest);
      continue;
    }
    const bullet = /^(?:[-*•]|\d+[.)])\s+(.*)$/.exec(line);
    if (bullet && section !== 'none') (section === 'evidence' ? evidence : actions).push(bullet[1]?.trim() ?? '');
  }
  const summary = rootCauseLine ?? lines.find((line) => line !== '') ?? '';
  return { ...optionalRootCause(rootCauseLine), summary, evidence, actions };
}

function optionalRootCause(line: string | undefined): { rootCause?: string } {
  if (line === undefined) return {};
  const [head = ''] = line.split(/\s+[—–-]\s+|\s*[—–]\s*|:\s+/);
  const service = head.replace(/[`'"]/g, '').trim();
  if (service === '' || NONE_FOUND.test(service)) return {};
  return { rootCause: service };
}

/** Markdown emphasis and heading marks off, so `**Root cause:**` reads as `Root cause:`. */
function plain(line: string): string {
  return line
    .trim()
    .replace(/^#{1,6}\s+/, '')
    .replace(/\*\*|__/g, '')
    .trim();
}
