/** What a source is called in a tool's one-line failure, so the model (and the person reading) knows which backend failed. */
const SOURCE_NAMES: Record<string, string> = {
  prometheus: 'Prometheus',
  elasticsearch: 'Elasticsearch',
  kubernetes: 'Kubernetes',
  jaeger: 'Jaeger',
  sim: 'The simulated world',
};

export function sourceName(source: { readonly kind: string }): string {
  return SOURCE_NAMES[source.kind] ?? source.kind;
}
