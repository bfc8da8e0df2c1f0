import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOG_LEVELS } from '../../src/config.js';
import { configVariables, SECRET_VARIABLES } from './config-variables.js';
import { HelmFailure } from './go-template.js';
import { asArray, asObject, type Json } from './json-shapes.js';
import type { KubernetesObjects } from './kubernetes-objects.js';
import { CHART_DIRECTORY, renderChart } from './render-chart.js';
import { read } from './repository-files.js';
import { VALUES_SCHEMA_PATH, valuesSchemaProblems } from './values-schema.js';

/**
 * The chart's release-safety parts: values.schema.json (Helm refuses values that do not match it),
 * PodDisruptionBudgets, the termination grace period, and the Secret made from `secrets.*`.
 */

const values = asObject(parse(read(`${CHART_DIRECTORY}/values.yaml`)));
const schema = JSON.parse(read(VALUES_SCHEMA_PATH)) as Json;

/** The schema node at a `#/definitions/…` reference, or the node itself. */
function resolved(node: Json): Json {
  const reference = node.$ref;
  if (typeof reference !== 'string') return node;
  return resolved(asObject(reference.replace(/^#\//, '').split('/').reduce<unknown>((at, key) => asObject(at)[key], schema)));
}

/**
 * The values.yaml paths that no schema node with a `type` covers. Descent stops at objects the
 * schema leaves free-form (Kubernetes' own shapes: probes, security contexts, affinity), which the
 * rendered manifests' validation checks instead.
 */
function uncovered(value: unknown, node: Json, path: string): string[] {
  const here = resolved(node);
  if (here.type === undefined) return [path];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const properties = asObject(here.properties);
  const additional = here.additionalProperties;
  if (Object.keys(properties).length === 0 && (additional === undefined || additional === true)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const child = key in properties ? asObject(properties[key]) : typeof additional === 'object' ? asObject(additional) : undefined;
    return child ? uncovered(item, child, `${path}.${key}`) : [`${path}.${key}`];
  });
}

/** Every `required` list in the schema, with the path of the object it belongs to. */
function requiredKeys(node: Json, path: string): [string, string][] {
  const here = resolved(node);
  const own = asArray(here.required).map((key): [string, string] => [path, String(key)]);
  return [...own, ...Object.entries(asObject(here.properties)).flatMap(([key, child]) => requiredKeys(asObject(child), `${path}.${key}`))];
}

const valueAt = (path: string) => path.split('.').filter(Boolean).reduce<unknown>((at, key) => asObject(at)[key], values);
const deployment = (objects: KubernetesObjects, component: 'bot' | 'worker') => objects.named('Deployment', `aiops-${component}`);
const podSpec = (object: Json | undefined) => asObject(asObject(asObject(object?.spec).template).spec);
const podAnnotations = (object: Json | undefined) => asObject(asObject(asObject(asObject(object?.spec).template).metadata).annotations);
const container = (object: Json | undefined) => asObject(asArray(podSpec(object).containers)[0]);

describe('deploy/helm/aiops/values.schema.json', () => {
  it('is JSON Schema draft-07, the draft Helm validates values with', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts values.yaml as it is', () => {
    expect(valuesSchemaProblems(values)).toEqual([]);
  });

  it('types every value in values.yaml, down to Kubernetes\' own objects', () => {
    expect(uncovered(values, schema, '')).toEqual([]);
    expect(schema.additionalProperties, 'a misspelt top-level key is refused').toBe(false);
  });

  it('requires only keys that values.yaml has, so the defaults always pass', () => {
    const required = requiredKeys(schema, '');
    expect(required.length).toBeGreaterThan(20);
    for (const [path, key] of required) expect(asObject(valueAt(path)), `${path}.${key}`).toHaveProperty(key);
  });

  it('refuses a wrong type, a misspelt key and an unknown setting, naming the path', () => {
    const with_ = (overrides: Json) => valuesSchemaProblems({ ...values, ...overrides });
    expect(with_({ bot: { ...asObject(values.bot), replicas: 'two' } })).toEqual(['.bot.replicas should be integer']);
    expect(with_({ workers: { ...asObject(values.workers), replica: 2 } })).toEqual(['.workers should NOT have additional properties: replica']);
    expect(with_({ port: '3000' })).toEqual(['.port should be integer']);
    expect(with_({ image: { ...asObject(values.image), pullPolicy: 'Sometimes' } })).toEqual(['.image.pullPolicy should be equal to one of the allowed values']);
    expect(with_({ secrets: { SLACK_BOT_TOKN: 'xoxb-1' } })).toEqual(['.secrets should NOT have additional properties: SLACK_BOT_TOKN']);
    expect(with_({ workers: { ...asObject(values.workers), podDisruptionBudget: { enabled: true, maxUnavailable: 'half' } } })).toEqual(['.workers.podDisruptionBudget.maxUnavailable should match pattern "^([0-9]+%?)?$"']);
  });

  it('allows the `global` values Helm passes when this chart is a parent chart\'s dependency', () => {
    expect(valuesSchemaProblems({ ...values, global: { imageRegistry: 'registry.example' } })).toEqual([]);
  });

  it('stops a render, as helm install does, when the values do not match', () => {
    expect(() => renderChart({ bot: { replicas: 'two' } })).toThrow(HelmFailure);
    expect(() => renderChart({ bot: { replicas: 'two' } })).toThrow(/\.bot\.replicas should be integer/);
  });

  it('allows the log levels and the secret names src/config.ts reads', () => {
    const properties = asObject(asObject(schema.properties).env).properties;
    expect(asObject(asObject(properties).LOG_LEVEL).enum).toEqual(['', ...LOG_LEVELS]);
    const names = configVariables();
    const secretNames = Object.keys(asObject(asObject(asObject(schema.properties).secrets).properties));
    expect(secretNames.sort()).toEqual([...SECRET_VARIABLES].sort());
    for (const name of [...secretNames, ...Object.keys(asObject(properties))]) expect(names, name).toContain(name);
  });
});

describe('the chart\'s PodDisruptionBudgets', () => {
  const budgets = (overrides: Json = {}) => renderChart(overrides).objects.byKind('PodDisruptionBudget');

  it('by default protect the two workers, one eviction at a time, and not the single bot', () => {
    const [worker, ...others] = budgets();
    expect(others).toEqual([]);
    expect(asObject(worker?.metadata).name).toBe('aiops-worker');
    expect(worker?.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(asObject(worker?.spec).minAvailable).toBeUndefined();
  });

  it('select exactly the pods of their Deployment', () => {
    const { objects } = renderChart({ bot: { replicas: 2 } });
    for (const component of ['bot', 'worker'] as const) {
      const budget = objects.named('PodDisruptionBudget', `aiops-${component}`);
      const target = deployment(objects, component);
      expect(asObject(budget?.spec).selector, component).toEqual(asObject(target?.spec).selector);
    }
  });

  it('follow replicas, enabled and minAvailable', () => {
    expect(budgets({ bot: { replicas: 3 } }).map((budget) => asObject(budget.metadata).name)).toEqual(['aiops-bot', 'aiops-worker']);
    expect(budgets({ workers: { podDisruptionBudget: { enabled: false } } })).toEqual([]);
    expect(budgets({ workers: { replicas: 1 } }), 'one replica: a budget would protect nothing').toEqual([]);
    expect(budgets({ workers: { replicas: 0 } })).toEqual([]);
    const [minimum] = budgets({ workers: { replicas: 4, podDisruptionBudget: { minAvailable: '50%' } } });
    expect(minimum?.spec).toMatchObject({ minAvailable: '50%' });
    expect(asObject(minimum?.spec).maxUnavailable, 'the API takes one of the two').toBeUndefined();
  });
});

describe('the chart\'s termination grace period', () => {
  it('is 30 s on both Deployments, longer than the process takes to stop after SIGTERM', () => {
    const main = read('src/main.ts');
    const milliseconds = (name: string) => Number((new RegExp(`const ${name} = ([\\d_]+);`).exec(main)?.[1] ?? 'NaN').replace(/_/g, ''));
    const stopSeconds = (milliseconds('STOP_DEADLINE_MILLISECONDS') + milliseconds('EXIT_GRACE_MILLISECONDS')) / 1000;
    expect(stopSeconds).toBeGreaterThan(5);
    const { objects } = renderChart();
    for (const component of ['bot', 'worker'] as const) {
      const seconds = podSpec(deployment(objects, component)).terminationGracePeriodSeconds;
      expect(seconds, component).toBe(30);
      expect(Number(seconds), `${component}: SIGKILL only after the process's own deadline`).toBeGreaterThan(stopSeconds);
    }
  });

  it('is set per component', () => {
    const { objects } = renderChart({ workers: { terminationGracePeriodSeconds: 120 } });
    expect(podSpec(deployment(objects, 'worker')).terminationGracePeriodSeconds).toBe(120);
    expect(podSpec(deployment(objects, 'bot')).terminationGracePeriodSeconds).toBe(30);
  });
});

describe('the chart\'s Secret', () => {
  it('is not made by default, and then no pod reads one and NOTES warns', () => {
    const { objects, notes } = renderChart();
    expect(objects.byKind('Secret')).toEqual([]);
    for (const component of ['bot', 'worker'] as const) expect(container(deployment(objects, component)).envFrom).toBeUndefined();
    expect(notes).toMatch(/WARNING: existingSecret and secrets are empty/);
  });

  it('is made from the secrets set, read by bot and workers, and rolls them when it changes', () => {
    const render = (token: string) => renderChart({ secrets: { SLACK_BOT_TOKEN: token, ALERTMANAGER_WEBHOOK_TOKEN: 'a'.repeat(24) } });
    const { objects, notes } = render('xoxb-1');
    const [secret, ...others] = objects.byKind('Secret');
    expect(others).toEqual([]);
    expect(asObject(secret?.metadata)).toMatchObject({ name: 'aiops-secrets', namespace: 'aiops' });
    expect(secret?.stringData, 'only the settings given').toEqual({ ALERTMANAGER_WEBHOOK_TOKEN: 'a'.repeat(24), SLACK_BOT_TOKEN: 'xoxb-1' });
    for (const component of ['bot', 'worker'] as const) {
      expect(container(deployment(objects, component)).envFrom, component).toEqual([{ secretRef: { name: 'aiops-secrets' } }]);
    }
    expect(notes).not.toMatch(/WARNING/);
    expect(notes).toMatch(/Secret: aiops-secrets, made from `secrets`/);
    const checksum = (token: string) => podAnnotations(deployment(render(token).objects, 'bot'))['checksum/secret'];
    expect(checksum('xoxb-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('xoxb-2')).not.toBe(checksum('xoxb-1'));
  });

  it('gives way to existingSecret, which keeps working as before', () => {
    const { objects, notes } = renderChart({ existingSecret: 'aiops-slack', secrets: { SLACK_BOT_TOKEN: 'xoxb-1' } });
    expect(objects.byKind('Secret')).toEqual([]);
    for (const component of ['bot', 'worker'] as const) {
      expect(container(deployment(objects, component)).envFrom).toEqual([{ secretRef: { name: 'aiops-slack' } }]);
      expect(podAnnotations(deployment(objects, component))).not.toHaveProperty('checksum/secret');
    }
    expect(notes).not.toMatch(/WARNING|made from `secrets`/);
  });

  it('defaults every secret to empty in values.yaml, so nothing secret is committed', () => {
    for (const [name, value] of Object.entries(asObject(values.secrets))) expect(value, name).toBe('');
  });
});
