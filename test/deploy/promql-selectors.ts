/** Words of PromQL that look like metric names but are not: keywords, modifiers, set operators. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/** The expression without string literals, label matchers, range and subquery brackets, label lists and Grafana variables. */
function skeleton(expression: string): string {
  return expression
    .replace(/\$\{\w+\}|\$\w+/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
}

/**
 * The metric names a PromQL expression reads (`rate(aiops_job_runs_total{…}[5m])` ->
 * `aiops_job_runs_total`): identifiers that are neither functions (followed by `(`), keywords,
 * label names in `by (…)`, nor parts of numbers and durations. Enough for the expressions of our
 * rules and dashboard; a `__name__` matcher is not followed.
 */
export function metricNamesIn(expression: string): string[] {
  const names = new Set<string>();
  for (const match of skeleton(expression).matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)) {
    if (!KEYWORDS.has(match[0].toLowerCase())) names.add(match[0]);
  }
  return [...names].sort();
}

export interface LabelMatcher {
  metric: string;
  label: string;
  operator: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Every `label op "value"` inside `metric{…}` selectors of an expression (Grafana variables left as written). */
export function labelMatchersIn(expression: string): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  for (const selector of expression.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)) {
    for (const matcher of (selector[2] ?? '').matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      matchers.push({ metric: selector[1] ?? '', label: matcher[1] ?? '', operator: matcher[2] as LabelMatcher['operator'], value: matcher[3] ?? '' });
    }
  }
  return matchers;
}
