import type { ToolQuery } from '../../agent/tool.js';
import { escapeMrkdwn, truncate } from './limits.js';

/** Where people open queries: Prometheus's graph page and Kibana's Discover. */
export interface QueryLinks {
  prometheusUrl?: string;
  kibanaUrl?: string;
}

/** Enough to see what evidence rests on without turning the answer into a query dump. */
const QUERIES_SHOWN = 6;
const LABEL_CHARACTERS = 60;

/**
 * The queries behind an answer, each as a link where a UI is configured and as code otherwise,
 * so a reader can always rerun what the bot looked at. Repeated queries are shown once.
 */
export function queryLinks(queries: readonly ToolQuery[], links: QueryLinks = {}): string[] {
  const seen = new Set<string>();
  const shown: string[] = [];
  for (const query of queries) {
    const key = `${query.kind}:${query.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (shown.length === QUERIES_SHOWN) break;
    const label = escapeMrkdwn(truncate(query.text, LABEL_CHARACTERS)).replace(/\|/g, '¦');
    const url = query.kind === 'promql' ? prometheusGraphUrl(query, links.prometheusUrl) : kibanaDiscoverUrl(query, links.kibanaUrl);
    shown.push(url ? `<${url}|${label}>` : `\`${label}\``);
  }
  return shown.length > 0 ? [`Queries: ${shown.join(' · ')}`] : [];
}

function prometheusGraphUrl(query: ToolQuery, base: string | undefined): string | undefined {
  if (!base) return undefined;
  const minutes = Math.max(1, Math.round((query.end - query.start) / 60_000));
  const parameters = new URLSearchParams({ 'g0.expr': query.text, 'g0.tab': '0', 'g0.range_input': `${minutes}m`, 'g0.end_input': new Date(query.end).toISOString() });
  return `${base.replace(/\/$/, '')}/graph?${parameters.toString()}`;
}

function kibanaDiscoverUrl(query: ToolQuery, base: string | undefined): string | undefined {
  if (!base) return undefined;
  // Rison inside the hash: single quotes delimit strings and `!` escapes a quote.
  const kuery = query.text.replace(/!/g, '!!').replace(/'/g, "!'");
  const state = `_g=(time:(from:'${new Date(query.start).toISOString()}',to:'${new Date(query.end).toISOString()}'))&_a=(query:(language:kuery,query:'${kuery}'))`;
  return `${base.replace(/\/$/, '')}/app/discover#/?${encodeURI(state)}`;
}
