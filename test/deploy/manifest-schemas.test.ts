import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { asArray, asObject, type Json } from './json-shapes.js';
import { skipWithout } from '../support/requirements.js';
import { kustomizeBuild } from './kustomize-build.js';
import { manifestProblems } from './manifest-problems.js';
import { renderChart } from './render-chart.js';
import { filesUnder, read } from './repository-files.js';

/**
 * Every Kubernetes object deploy/ can produce, validated offline against kubernetes-models'
 * schemas plus a check for fields no type declares: the plain manifests as written, the kustomize
 * base as rendered, and the chart rendered at its defaults and with each optional part switched on.
 * What a cluster would refuse, or silently drop (a misspelt field), fails here first.
 */

const objectsOf = (text: string): Json[] => parseAllDocuments(text).map((document) => asObject(document.toJS())).filter((object) => Object.keys(object).length > 0);

/** A YAML file of Kubernetes objects: every document has apiVersion, kind and metadata (not a kubeconfig, kustomization or Chart.yaml). */
const isManifest = (objects: Json[]) => objects.length > 0 && objects.every((object) => typeof object.apiVersion === 'string' && typeof object.kind === 'string' && typeof object.metadata === 'object');

const plainManifests = filesUnder('deploy')
  .filter((file) => /\.ya?ml$/.test(file) && !file.includes('/templates/'))
  .filter((file) => isManifest(objectsOf(read(file))))
  .sort();

/** The chart's optional parts, each on, beside its defaults. */
const CHART_VARIANTS: Record<string, Json> = {
  defaults: {},
  'healing executor, bound cluster-wide': { healing: { executor: { enabled: true } }, rbac: { clusterWide: true } },
  'secrets and two bots with minAvailable': { secrets: { SLACK_BOT_TOKEN: 'xoxb-1' }, bot: { replicas: 2, podDisruptionBudget: { minAvailable: '50%' } } },
  'existing Secrets, ConfigMap and account': { existingSecret: 'aiops-slack', redis: { existingSecret: 'redis' }, catalogue: { existingConfigMap: 'catalogue' }, serviceAccount: { create: false, name: 'aiops' } },
  'one process, simulated cluster': { workers: { replicas: 0 }, kubernetes: { inCluster: false }, metrics: { podAnnotations: false } },
};

describe('the manifests deploy/ ships', () => {
  it('include deploy/rbac.yaml and every resource of the kustomize base', () => {
    expect(plainManifests).toEqual(expect.arrayContaining(['deploy/rbac.yaml', 'deploy/kustomize/base/deployment-bot.yaml', 'deploy/kustomize/base/poddisruptionbudget-worker.yaml', 'deploy/kustomize/base/rbac.yaml']));
  });

  it.each(plainManifests)('%s is valid as written', (file) => {
    expect(manifestProblems(objectsOf(read(file)))).toEqual([]);
  });

  it.skipIf(skipWithout('kubectl', 'validating the rendered kustomize base'))('deploy/kustomize/base is valid as kubectl kustomize renders it', () => {
    const objects = kustomizeBuild('deploy/kustomize/base');
    expect(objects.length).toBeGreaterThan(5);
    expect(manifestProblems(objects)).toEqual([]);
  });

  it.each(Object.keys(CHART_VARIANTS))('the Helm chart is valid rendered with %s', (variant) => {
    const { objects } = renderChart(CHART_VARIANTS[variant]);
    expect(objects.all.length).toBeGreaterThan(3);
    expect(manifestProblems(objects.all)).toEqual([]);
  });
});

describe('the validation', () => {
  const chart = renderChart().objects;
  const changed = (kind: string, name: string, change: (object: Json) => void): string[] => {
    const object = structuredClone(chart.named(kind, name) ?? {});
    change(object);
    return manifestProblems([object]);
  };
  const container = (object: Json) => asObject(asArray(asObject(asObject(asObject(object.spec).template).spec).containers)[0]);

  it('refuses a misspelt field the schemas alone let through (`replica: 2`)', () => {
    expect(changed('Deployment', 'aiops-bot', (object) => (asObject(object.spec).replica = 2))).toEqual([expect.stringMatching(/^Deployment aiops-bot: spec\.replica: unknown field/)]);
    expect(changed('Deployment', 'aiops-worker', (object) => (container(object).resources = { limit: { memory: '1Gi' } }))).toEqual([
      expect.stringMatching(/^Deployment aiops-worker: spec\.template\.spec\.containers\[0\]\.resources\.limit: unknown field/),
    ]);
    expect(changed('PodDisruptionBudget', 'aiops-worker', (object) => (asObject(object.spec).maxUnavailabel = 1))).toEqual([expect.stringMatching(/spec\.maxUnavailabel: unknown field/)]);
  });

  it('refuses a wrong type or value (`containerPort: "8080"`, an unknown pull policy) and a missing required field', () => {
    expect(changed('Deployment', 'aiops-bot', (object) => (asObject(asArray(container(object).ports)[0]).containerPort = '8080'))).toEqual([expect.stringMatching(/containerPort must be integer/)]);
    expect(changed('Deployment', 'aiops-bot', (object) => (container(object).imagePullPolicy = 'Sometimes'))).toEqual([expect.stringMatching(/imagePullPolicy must be equal to one of the allowed values/)]);
    expect(changed('RoleBinding', 'aiops', (object) => delete object.roleRef)).toEqual([expect.stringMatching(/must have required property '?roleRef'?/)]);
  });

  it('refuses a kind it has no model for, rather than passing it unchecked', () => {
    expect(manifestProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual(['Widget w: no model for example.com/v1 Widget (add it to MODELS)']);
  });
});
