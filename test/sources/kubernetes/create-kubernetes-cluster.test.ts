import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { createKubernetesCluster, KubernetesCluster } from '../../../src/sources/kubernetes/kubernetes-cluster.js';
import { startFakeKubernetes, type FakeKubernetes } from '../../fakes/kubernetes-api.js';

let fake: FakeKubernetes;
let directory: string;

beforeEach(async () => {
  fake = await startFakeKubernetes();
  directory = mkdtempSync(join(tmpdir(), 'aiops-kubeconfig-'));
});

afterEach(async () => {
  rmSync(directory, { recursive: true, force: true });
  await fake.close();
});

describe('createKubernetesCluster', () => {
  it('loads a kubeconfig file and talks to its cluster', async () => {
    const path = join(directory, 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: fake\n  cluster:\n    server: ${fake.url}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: bot\n  user:\n    token: ${fake.token}`,
        'contexts:',
        '- name: fake\n  context:\n    cluster: fake\n    user: bot',
        'current-context: fake',
      ].join('\n'),
    );

    const loaded = createKubernetesCluster(path);

    expect(loaded.kind).toBe('kubernetes');
    expect((await loaded.listDeployments('staging')).map((deployment) => deployment.name)).toEqual(['order-service']);
  });

  it('names KUBECONFIG and the missing file', () => {
    const path = join(directory, 'missing');
    expect(() => createKubernetesCluster(path)).toThrowError(expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: `KUBECONFIG: ${path} does not exist` }));
  });

  it('names KUBECONFIG when the path is a directory', () => {
    expect(() => createKubernetesCluster(directory)).toThrowError(expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: `KUBECONFIG: ${directory} is a directory, expected a kubeconfig file` }));
  });

  it('names KUBECONFIG when the file is not a kubeconfig', () => {
    const path = join(directory, 'garbage');
    writeFileSync(path, 'clusters: [ {name: \n');
    expect(() => createKubernetesCluster(path)).toThrowError(expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringMatching(/^KUBECONFIG: .*garbage is not a valid kubeconfig/) }));
  });

  it('refuses a plain-HTTP server without insecure-skip-tls-verify up front, naming KUBECONFIG', () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'plain', server: fake.url, skipTLSVerify: false }, { name: 'bot', token: fake.token });
    expect(() => new KubernetesCluster({ kubeConfig })).toThrowError(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('KUBECONFIG: cluster plain uses plain HTTP') }),
    );
  });

  it('names KUBECONFIG when no current context points at a cluster', () => {
    const path = join(directory, 'empty');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    expect(() => createKubernetesCluster(path)).toThrowError(expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('KUBECONFIG: names no current cluster') }));
  });
});
