import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { asArray, asObject, type Json } from './json-shapes.js';
import { skipWithout } from '../support/requirements.js';
import { kustomizeBuild } from './kustomize-build.js';
import { manifestProblems } from './manifest-problems.js';
import { renderChart } from './render-chart.js';
import { read, REPOSITORY_ROOT } from './repository-files.js';

/**
 * deploy/kustomize/base against the Helm chart at its default values: `kubectl apply -k` and
 * `helm install` must give a cluster the same workloads. Both are rendered (kubectl kustomize;
 * the chart by the test renderer) and compared object by object, everything a cluster acts on:
 * kind, name, namespace, replicas, selectors, pod labels and annotations, images, args, ports,
 * probes, resources, env, volumes, security contexts, grace periods, RBAC rules and bindings,
 * ConfigMap contents and PodDisruptionBudgets. Normalised before comparing, and only this:
 * - object labels and annotations, which name the tool (helm.sh/chart, managed-by) and differ by design;
 * - the chart's `checksum/*` pod annotations, its way of rolling pods on a config change, which
 *   kustomize does by the content hash it appends to generated ConfigMap names;
 * - that hash suffix itself (`aiops-catalogue-tb2dk79f6b` -> `aiops-catalogue`), wherever the name appears;
 * - ConfigMap values, compared as parsed YAML (the chart indents the catalogue into values.yaml).
 */

const BASE = 'deploy/kustomize/base';
/** kustomize's content hash on generated names: a dash and ten characters of its alphabet. */
const GENERATED_SUFFIX = /-[bcdfghkmt2-9]{10}$/;

/** What a cluster acts on, without what only names the tool that made it. */
function normalised(object: Json, generatedNames: Map<string, string>): Json {
  const copy = structuredClone(object);
  const metadata = asObject(copy.metadata);
  const name = String(metadata.name);
  copy.metadata = { name: generatedNames.get(name) ?? name, ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }) };
  if (copy.kind === 'ConfigMap') copy.data = Object.fromEntries(Object.entries(asObject(copy.data)).map(([key, text]) => [key, parse(String(text)) as unknown]));
  const template = asObject(asObject(copy.spec).template);
  if (Object.keys(template).length > 0) {
    const templateMetadata = asObject(template.metadata);
    const annotations = Object.entries(asObject(templateMetadata.annotations)).filter(([key]) => !key.startsWith('checksum/'));
    template.metadata = { ...templateMetadata, annotations: Object.fromEntries(annotations) };
    for (const volume of asArray(asObject(template.spec).volumes).map(asObject)) {
      const configMap = asObject(volume.configMap);
      if (typeof configMap.name === 'string') configMap.name = generatedNames.get(configMap.name) ?? configMap.name;
    }
  }
  return copy;
}

const identity = (object: Json) => `${String(object.kind)} ${String(asObject(object.metadata).namespace ?? '-')}/${String(asObject(object.metadata).name)}`;

describe.skipIf(skipWithout('kubectl', 'kubectl kustomize deploy/kustomize/base'))('deploy/kustomize/base', () => {
  let generatedNames = new Map<string, string>();
  let base = new Map<string, Json>();
  let chart = new Map<string, Json>();

  // Rendered here, not while the suite is collected: a skipped suite is collected too.
  beforeAll(() => {
    const built = kustomizeBuild(BASE);
    generatedNames = new Map(
      built
        .filter((object) => object.kind === 'ConfigMap')
        .map((object) => String(asObject(object.metadata).name))
        .filter((name) => GENERATED_SUFFIX.test(name))
        .map((name) => [name, name.replace(GENERATED_SUFFIX, '')]),
    );
    base = new Map(built.map((object) => normalised(object, generatedNames)).map((object) => [identity(object), object]));
    chart = new Map(renderChart().objects.all.map((object) => normalised(object, new Map())).map((object) => [identity(object), object]));
  });

  it('renders the chart\'s objects at its defaults, no more and no fewer', () => {
    expect([...base.keys()].sort()).toEqual([...chart.keys()].sort());
    expect([...generatedNames.values()].sort(), 'the ConfigMaps kustomize generates, with a content hash').toEqual(['aiops-catalogue', 'aiops-kubeconfig']);
  });

  it('runs the same bot and workers: image, args, replicas, ports, probes, resources, env, volumes, security, grace period', () => {
    for (const name of ['aiops-bot', 'aiops-worker']) {
      const key = `Deployment aiops/${name}`;
      expect(base.get(key), key).toEqual(chart.get(key));
    }
    const args = (name: string) => asObject(asArray(asObject(asObject(asObject(base.get(`Deployment aiops/${name}`)?.spec).template).spec).containers)[0]).args;
    expect(args('aiops-bot')).toEqual(['bot']);
    expect(args('aiops-worker')).toEqual(['worker']);
  });

  it('grants the same read-only rules through the same bindings and accounts', () => {
    for (const key of ['ClusterRole -/aiops', 'RoleBinding shop/aiops', 'ServiceAccount aiops/aiops']) expect(base.get(key), key).toEqual(chart.get(key));
    expect(asObject(base.get('ClusterRole -/aiops')).rules).toEqual(parse(read('deploy/helm/aiops/files/rbac-read-rules.yaml')));
  });

  it('has the same Service, PodDisruptionBudget and ConfigMaps', () => {
    for (const key of ['Service aiops/aiops', 'PodDisruptionBudget aiops/aiops-worker', 'ConfigMap aiops/aiops-catalogue', 'ConfigMap aiops/aiops-kubeconfig']) expect(base.get(key), key).toEqual(chart.get(key));
  });

  it('differs from the chart in nothing else', () => {
    for (const [key, object] of base) expect(object, key).toEqual(chart.get(key));
  });

  it('ships deploy/catalogue.example.yml unchanged (kustomize reads files under the base only)', () => {
    expect(read(`${BASE}/catalogue.yml`)).toBe(read('deploy/catalogue.example.yml'));
  });
});

describe.skipIf(skipWithout('kubectl', 'the README\'s kustomize overlay'))('the README\'s overlay on deploy/kustomize/base', () => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Deploying'), readme.indexOf('\n## ', readme.indexOf('## Deploying') + 3));
  const overlay = /```yaml\n([^`]*kind: Kustomization[^`]*)```/.exec(section)?.[1] ?? '';
  let directory = '';

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'aiops-overlay-'));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('is in the Deploying section, and adds the Secret the pods read, with a new image', () => {
    expect(overlay, 'a ```yaml block with kind: Kustomization').toMatch(/secretGenerator/);
    // The README points at the base relative to a user's checkout; here it is this repository's (kustomize takes relative paths only).
    writeFileSync(join(directory, 'kustomization.yaml'), overlay.replace(/^(\s*-\s*)\S*deploy\/kustomize\/base\S*/m, `$1${relative(directory, join(REPOSITORY_ROOT, BASE))}`));
    writeFileSync(join(directory, 'secrets.env'), 'SLACK_BOT_TOKEN=xoxb-test\nSLACK_APP_TOKEN=xapp-test\nALERTMANAGER_WEBHOOK_TOKEN=0123456789abcdef01234567\n');
    const objects = kustomizeBuild(directory);
    const secret = objects.find((object) => object.kind === 'Secret');
    const secretName = String(asObject(secret?.metadata).name);
    expect(secretName).toMatch(/^aiops-secrets-/);
    expect(asObject(secret?.metadata).namespace).toBe('aiops');
    for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
      const container = asObject(asArray(asObject(asObject(asObject(deployment.spec).template).spec).containers)[0]);
      expect(container.envFrom, identity(deployment)).toEqual([{ secretRef: { name: secretName } }]);
      expect(String(container.image)).not.toBe('aiops-bot:0.1.0');
    }
    expect(manifestProblems(objects)).toEqual([]);
  });
});
