import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { HelmFailure, parseTemplate, TemplateEngine } from './go-template.js';
import { asObject, type Json } from './json-shapes.js';
import { KubernetesObjects } from './kubernetes-objects.js';
import { read, REPOSITORY_ROOT } from './repository-files.js';
import { valuesSchemaProblems } from './values-schema.js';

export const CHART_DIRECTORY = 'deploy/helm/aiops';

/** Values merged as Helm merges `--set` and `-f` onto values.yaml: maps key by key, anything else replaced. */
export function mergeValues(base: unknown, overrides: unknown): unknown {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides) || !base || typeof base !== 'object' || Array.isArray(base)) return overrides;
  const merged: Json = { ...(base as Json) };
  for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(merged[key], value);
  return merged;
}

export interface RenderedChart {
  objects: KubernetesObjects;
  notes: string;
}

/**
 * `helm template` of deploy/helm/aiops with values.yaml and `overrides` (as --set would), as release
 * `aiops` in namespace `aiops`. Like Helm, it first checks the merged values against
 * values.schema.json and refuses values that do not match, naming each problem.
 */
export function renderChart(overrides: Json = {}): RenderedChart {
  const chart = asObject(parse(read(`${CHART_DIRECTORY}/Chart.yaml`)));
  const values = mergeValues(parse(read(`${CHART_DIRECTORY}/values.yaml`)), overrides);
  const problems = valuesSchemaProblems(values);
  if (problems.length > 0) throw new HelmFailure(`values don't meet the specifications of the schema(s) in the following chart(s):\naiops:\n- ${problems.join('\n- ')}`);
  const engine = new TemplateEngine();
  const basePath = `${String(chart.name)}/templates`;
  const files = readdirSync(join(REPOSITORY_ROOT, CHART_DIRECTORY, 'templates')).sort();
  for (const file of files) {
    engine.defines.set(`${basePath}/${file}`, parseTemplate(read(`${CHART_DIRECTORY}/templates/${file}`), engine.defines));
  }
  const data = (file: string) => ({
    Values: values,
    Release: { Name: 'aiops', Namespace: 'aiops', Service: 'Helm', IsInstall: true },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Template: { Name: `${basePath}/${file}`, BasePath: basePath },
    Files: { Get: (path: unknown) => read(`${CHART_DIRECTORY}/${String(path)}`) },
    Capabilities: {},
  });
  const manifests = files.filter((file) => !file.startsWith('_') && /\.ya?ml$/.test(file)).map((file) => engine.include(`${basePath}/${file}`, data(file)));
  for (const manifest of manifests) {
    const errors = parseAllDocuments(manifest).flatMap((document) => document.errors.map((error) => error.message));
    if (errors.length > 0) throw new Error(`the chart rendered YAML that does not parse: ${errors.join('; ')}\n${manifest}`);
  }
  const objects = KubernetesObjects.parse(manifests.join('\n---\n'));
  // What `helm install -n aiops` does: namespaced objects without a namespace go to the release's.
  for (const object of objects.all) {
    const metadata = asObject(object.metadata);
    if (!String(object.kind).startsWith('Cluster') && metadata.namespace === undefined) object.metadata = { ...metadata, namespace: 'aiops' };
  }
  return { objects, notes: engine.include(`${basePath}/NOTES.txt`, data('NOTES.txt')) };
}
