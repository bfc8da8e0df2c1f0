import { describe, expect, it } from 'vitest';
import { queryLinks } from '../../../src/slack/blocks/query-links.js';

const END = Date.UTC(2026, 10, 24, 15, 20);
const latency = { kind: 'promql' as const, text: 'histogram_quantile(0.95, rate(x_bucket{service="database"}[90s]))', start: END - 3_600_000, end: END };
const errors = { kind: 'logs' as const, text: "service:database and message:'too many'", start: END - 900_000, end: END };

describe('queryLinks', () => {
  it('links PromQL to Prometheus\'s graph page and log searches to Kibana\'s Discover over the window looked at', () => {
    const [line] = queryLinks([latency, errors, latency], { prometheusUrl: 'http://prometheus:9090/', kibanaUrl: 'https://kibana.example.com' });
    const links = [...line!.matchAll(/<([^|>]+)\|([^>]+)>/g)].map((match) => ({ url: new URL(match[1]!), label: match[2]! }));
    expect(links).toHaveLength(2);
    expect(links[0]!.url.origin + links[0]!.url.pathname).toBe('http://prometheus:9090/graph');
    expect(links[0]!.url.searchParams.get('g0.expr')).toBe(latency.text);
    expect(links[0]!.url.searchParams.get('g0.range_input')).toBe('60m');
    expect(links[0]!.url.searchParams.get('g0.end_input')).toBe('2026-11-24T15:20:00.000Z');
    expect(links[1]!.url.origin + links[1]!.url.pathname).toBe('https://kibana.example.com/app/discover');
    expect(decodeURI(links[1]!.url.hash)).toContain("query:'service:database and message:!'too many!''");
    expect(decodeURI(links[1]!.url.hash)).toContain("from:'2026-11-24T15:05:00.000Z'");
  });

  it('shows the queries as code where no UI is configured, and nothing when there are none', () => {
    expect(queryLinks([latency])).toEqual([`Queries: \`${latency.text.slice(0, 59)}…\``]);
    expect(queryLinks([])).toEqual([]);
  });
});
