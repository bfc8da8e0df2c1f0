import { definedOnly } from '../../defined-only.js';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { AiopsError, configError, ErrorCode, inputError, notFound } from '../../errors.js';
import { redactedExcerpt } from '../../redact-secrets.js';
import type { Autoscaler, Cluster, ClusterEvent, Deployment, Pod, WriteOptions, WriteResult } from '../cluster.js';
import { isTransient, withRetry } from '../retry.js';
import {
  autoscalerOf,
  currentRevisionOf,
  deploymentOfPod,
  labelSelectorOf,
  ownedReplicaSets,
  revisionOf,
  revisionsOf,
  toClusterEvent,
  toDeployment,
  toPod,
} from './kubernetes-objects.js';

export interface KubernetesClusterOptions {
  /** Which API server and credentials; `createKubernetesCluster` loads one from a kubeconfig file. */
  kubeConfig: KubeConfig;
  /** Time limit of one attempt of one API call (default 10 000 ms). */
  timeoutMilliseconds?: number;
  /** Attempts per API call, the first included (default 3). 404, 401 and 403 are never retried. */
  attempts?: number;
}

const DEFAULT_OPTIONS = { timeoutMilliseconds: 10_000, attempts: 3 };
const BACKEND = 'kubernetes';
const HINT = 'check KUBECONFIG and that the API server is reachable';
const RBAC_HINT =
  'check the KUBECONFIG credentials and RBAC (deploy/rbac.yaml): the service account needs get/list/patch on deployments, patch on deployments/scale, list on replicasets, list/delete on pods, list on events and list on horizontalpodautoscalers (autoscaling)';
const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** The cluster through the Kubernetes API (`@kubernetes/client-node`). */
export class KubernetesCluster implements Cluster {
  readonly kind = 'kubernetes';
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly autoscaling: AutoscalingV2Api;
  private readonly options: Required<Omit<KubernetesClusterOptions, 'kubeConfig'>>;

  constructor(options: KubernetesClusterOptions) {
    const { kubeConfig, ...rest } = options;
    this.options = { ...DEFAULT_OPTIONS, ...definedOnly(rest) };
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw configError('KUBECONFIG', 'names no current cluster: set current-context to a context whose cluster exists');
    // client-node would otherwise fail every call with the same complaint, retries included.
    if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
      throw configError('KUBECONFIG', `cluster ${cluster.name} uses plain HTTP (${cluster.server}); client-node allows that only with insecure-skip-tls-verify: true`);
    }
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
  }

  async listDeployments(namespace: string): Promise<Deployment[]> {
    const [deployments, replicaSets] = await Promise.all([
      this.call(`list deployments in ${namespace}`, `namespace ${namespace}`, (configuration) =>
        this.apps.listNamespacedDeployment({ namespace }, configuration),
      ),
      this.call(`list replicasets in ${namespace}`, `namespace ${namespace}`, (configuration) =>
        this.apps.listNamespacedReplicaSet({ namespace }, configuration),
      ),
    ]);
    return deployments.items.map((deployment) => toDeployment(deployment, replicaSets.items));
  }

  async getDeployment(namespace: string, name: string): Promise<Deployment> {
    const { deployment, replicaSets } = await this.readDeploymentWithReplicaSets(namespace, name);
    return toDeployment(deployment, replicaSets);
  }

  async listPods(namespace: string, deployment?: string): Promise<Pod[]> {
    let labelSelector: string | undefined;
    if (deployment !== undefined) {
      const stored = await this.readDeployment(namespace, deployment);
      labelSelector = labelSelectorOf(stored.spec?.selector.matchLabels ?? {});
    }
    // The ReplicaSets carry the pod -> deployment link (pod owner -> ReplicaSet owner).
    const [pods, replicaSets] = await Promise.all([
      this.call(`list pods in ${namespace}`, `namespace ${namespace}`, (configuration) =>
        this.core.listNamespacedPod({ namespace, labelSelector }, configuration),
      ),
      this.call(`list replicasets in ${namespace}`, `namespace ${namespace}`, (configuration) =>
        this.apps.listNamespacedReplicaSet({ namespace, labelSelector }, configuration),
      ),
    ]);
    const deploymentOfReplicaSet = new Map<string, string>();
    for (const replicaSet of replicaSets.items) {
      const owner = replicaSet.metadata?.ownerReferences?.find((reference) => reference.kind === 'Deployment');
      if (owner && replicaSet.metadata?.name) deploymentOfReplicaSet.set(replicaSet.metadata.name, owner.name);
    }
    const result = pods.items.map((pod) => toPod(pod, deploymentOfPod(pod, deploymentOfReplicaSet, deployment)));
    // Selectors of two deployments may overlap; keep only the pods this deployment owns.
    return deployment === undefined ? result : result.filter((pod) => pod.deployment === deployment);
  }

  async listEvents(namespace: string, involvedName?: string): Promise<ClusterEvent[]> {
    const fieldSelector = involvedName === undefined ? undefined : `involvedObject.name=${involvedName}`;
    const events = await this.call(`list events in ${namespace}`, `namespace ${namespace}`, (configuration) =>
      this.core.listNamespacedEvent({ namespace, fieldSelector }, configuration),
    );
    return events.items.map((event) => toClusterEvent(event, namespace)).sort((left, right) => right.lastTimestamp - left.lastTimestamp);
  }

  async getAutoscaler(namespace: string, deployment: string): Promise<Autoscaler | undefined> {
    // No selector reaches spec.scaleTargetRef: list the namespace's HPAs (a handful) and match the target here.
    const autoscalers = await this.call(`list horizontalpodautoscalers in ${namespace}`, `namespace ${namespace}`, (configuration) =>
      this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, configuration),
    );
    return autoscalerOf(autoscalers.items, deployment);
  }

  async scale(namespace: string, name: string, replicas: number, options: WriteOptions = {}): Promise<WriteResult> {
    if (!Number.isInteger(replicas) || replicas < 0) throw inputError('replicas', `expected a non-negative integer, got ${replicas}`);
    const subject = `deployment ${namespace}/${name}`;
    // Read through the deployment, not its scale subresource: RBAC then needs only patch on deployments/scale.
    const current = await this.readDeployment(namespace, name);
    const from = current.spec?.replicas ?? 1;
    await this.call(`scale ${subject}`, subject, (configuration) =>
      this.apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas } }, dryRun: dryRunOf(options) },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, configuration),
      ),
    );
    return written(options, `scale ${namespace}/${name} from ${from} to ${replicas} replicas`, `scaled ${namespace}/${name} from ${from} to ${replicas} replicas`);
  }

  async rolloutRestart(namespace: string, name: string, options: WriteOptions = {}): Promise<WriteResult> {
    const subject = `deployment ${namespace}/${name}`;
    // Computed once, outside the retried call, so a retry after a lost answer patches the same value.
    const restartedAt = new Date(options.restartedAt ?? Date.now()).toISOString();
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
    await this.call(`restart ${subject}`, subject, (configuration) =>
      this.apps.patchNamespacedDeployment(
        { name, namespace, body, dryRun: dryRunOf(options) },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, configuration),
      ),
    );
    return written(options, `restart the pods of ${namespace}/${name}`, `restarted the pods of ${namespace}/${name} (rollout restart at ${restartedAt})`);
  }

  /**
   * What `kubectl rollout undo` does: copy the target ReplicaSet's pod template, minus its
   * `pod-template-hash` label, onto the deployment; the deployment controller then reuses that
   * ReplicaSet as the newest revision.
   *
   * The template goes as a JSON patch `replace /spec/template` because both merge flavours would
   * keep what the old template lacks: a merge patch leaves map keys the old revision never had
   * (a restartedAt annotation, a newer label) and a strategic merge patch also keeps containers,
   * env vars and ports added since, merged by name. Only `replace` makes the template exactly
   * the old one. The template travels through client-node's models, so fields that client-node
   * 1.4.0 does not know would be dropped.
   */
  async rollback(namespace: string, name: string, toRevision?: number, options: WriteOptions = {}): Promise<WriteResult> {
    if (toRevision !== undefined && (!Number.isInteger(toRevision) || toRevision < 1)) {
      throw inputError('revision', `expected a positive integer, got ${toRevision}`);
    }
    const subject = `deployment ${namespace}/${name}`;
    const { deployment, replicaSets } = await this.readDeploymentWithReplicaSets(namespace, name);
    const revisions = revisionsOf(deployment, replicaSets);
    const current = currentRevisionOf(deployment, revisions);
    const available = revisions.map((revision) => revision.revision).join(', ') || 'none';
    const target = toRevision ?? revisions.filter((revision) => revision.revision < current).pop()?.revision;
    if (target === undefined) {
      throw new AiopsError(ErrorCode.NotFound, `${subject} has no revision before ${current} to roll back to (available revisions: ${available})`);
    }
    const replicaSet = ownedReplicaSets(deployment, replicaSets).find((candidate) => revisionOf(candidate) === target);
    if (!replicaSet?.spec?.template) {
      throw new AiopsError(ErrorCode.NotFound, `revision ${target} of ${subject} not found (available revisions: ${available})`);
    }
    if (target === current) {
      return { dryRun: options.dryRun === true, summary: `${namespace}/${name} already runs revision ${current}; nothing to roll back` };
    }
    const template = templateWithoutHash(replicaSet.spec.template);
    const fromImage = deployment.spec?.template.spec?.containers[0]?.image ?? '';
    const toImage = template.spec?.containers[0]?.image ?? '';
    await this.call(`roll back ${subject}`, subject, (configuration) =>
      this.apps.patchNamespacedDeployment(
        { name, namespace, body: [{ op: 'replace', path: '/spec/template', value: template }], dryRun: dryRunOf(options) },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch, configuration),
      ),
    );
    const change = `${namespace}/${name} from revision ${current} (${fromImage}) to revision ${target} (${toImage})`;
    return written(options, `roll back ${change}`, `rolled back ${change}`);
  }

  async deletePod(namespace: string, name: string, options: WriteOptions = {}): Promise<WriteResult> {
    const subject = `pod ${namespace}/${name}`;
    let attempt = 0;
    try {
      await this.call(`delete ${subject}`, subject, (configuration) => {
        attempt += 1;
        return this.core.deleteNamespacedPod({ name, namespace, dryRun: dryRunOf(options) }, configuration);
      });
    } catch (error) {
      // A retry after a lost answer finds the pod already gone: the first attempt did the work.
      const alreadyDeleted = attempt > 1 && !options.dryRun && error instanceof AiopsError && error.code === ErrorCode.NotFound;
      if (!alreadyDeleted) throw error;
    }
    return written(options, `delete pod ${namespace}/${name}`, `deleted pod ${namespace}/${name}`);
  }

  private readDeployment(namespace: string, name: string) {
    const subject = `deployment ${namespace}/${name}`;
    return this.call(`read ${subject}`, subject, (configuration) => this.apps.readNamespacedDeployment({ name, namespace }, configuration));
  }

  private async readDeploymentWithReplicaSets(namespace: string, name: string) {
    const deployment = await this.readDeployment(namespace, name);
    const labelSelector = labelSelectorOf(deployment.spec?.selector.matchLabels ?? {});
    const replicaSets = await this.call(`list replicasets of deployment ${namespace}/${name}`, `namespace ${namespace}`, (configuration) =>
      this.apps.listNamespacedReplicaSet({ namespace, labelSelector }, configuration),
    );
    return { deployment, replicaSets: replicaSets.items };
  }

  /**
   * One API call with a time limit, retries and errors in our terms. `subject` names the object
   * in a not-found message; `run` must pass the configuration on so the call can be aborted.
   */
  private call<T>(operation: string, subject: string, run: (configuration: ConfigurationOptions) => Promise<T>): Promise<T> {
    return withRetry(
      operation,
      async (signal) => {
        try {
          return await run(abortingOn(signal));
        } catch (error) {
          throw translateError(error, operation, subject);
        }
      },
      { backend: BACKEND, hint: HINT, attempts: this.options.attempts, timeoutMilliseconds: this.options.timeoutMilliseconds, retryable: isTransient },
    );
  }
}

/**
 * Loads a kubeconfig file. Fails with AIOPS_CONFIG_INVALID naming KUBECONFIG when the file is
 * missing, unreadable or not a kubeconfig, so a bad setting stops start-up with one line.
 */
export function createKubernetesCluster(kubeconfigPath: string, options: Omit<KubernetesClusterOptions, 'kubeConfig'> = {}): KubernetesCluster {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(kubeconfigPath);
  } catch (error) {
    throw new AiopsError(ErrorCode.ConfigInvalid, `KUBECONFIG: ${describeLoadFailure(kubeconfigPath, error)}`, { cause: error });
  }
  return new KubernetesCluster({ ...options, kubeConfig });
}

function describeLoadFailure(path: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return `${path} does not exist`;
  if (code === 'EACCES' || code === 'EPERM') return `${path} is not readable (permission denied)`;
  if (code === 'EISDIR') return `${path} is a directory, expected a kubeconfig file`;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `${path} is not a valid kubeconfig (${reason})`;
}

/** Client-node 1.x takes an AbortSignal only through a request middleware. */
function abortingOn(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** HTTP status and the API server's own words, kept so `isTransient` can judge the retry. */
class KubernetesStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function translateError(error: unknown, operation: string, subject: string): unknown {
  if (!(error instanceof ApiException)) return error;
  const status = error.code as number;
  const reason = statusMessageOf(error.body);
  if (status === 404) return notFound(subject);
  if (status === 401 || status === 403) {
    const refusal = status === 401 ? 'the credentials were refused' : 'permission denied';
    return new AiopsError(ErrorCode.SourceUnavailable, `${BACKEND}: ${operation}: ${refusal} (HTTP ${status}${reason ? `: ${reason}` : ''})`, {
      backend: BACKEND,
      hint: RBAC_HINT,
      cause: error,
    });
  }
  return new KubernetesStatusError(status, `HTTP ${status}${reason ? `: ${reason}` : ''}`);
}

/** The `message` of a Kubernetes Status body; client-node hands over unparsed text for undocumented codes. */
function statusMessageOf(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return redactedExcerpt(body.split('\n')[0] ?? '', 300) || undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function templateWithoutHash(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return copy;
}

function dryRunOf(options: WriteOptions): 'All' | undefined {
  return options.dryRun ? 'All' : undefined;
}

function written(options: WriteOptions, wouldDo: string, done: string): WriteResult {
  return options.dryRun ? { dryRun: true, summary: `would ${wouldDo} (dry run)` } : { dryRun: false, summary: done };
}

