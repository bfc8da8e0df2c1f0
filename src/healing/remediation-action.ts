import type { Cluster, Deployment, WriteResult } from '../sources/cluster.js';
import type { ProposedAction, RemediationRequest } from '../remediation-vocabulary.js';

export type { RemediationRequest } from '../remediation-vocabulary.js';

/** The part of the cluster planning may read: a plan is made without writing anything. */
export type ClusterReader = Pick<Cluster, 'getDeployment' | 'listPods' | 'getAutoscaler'>;

/**
 * A request checked against the live target: what will change, line by line, and how to tell
 * afterwards that it helped. `targetVersion` sums up the target as it was read, so the executor
 * can refuse to run a plan whose target changed since it was previewed.
 */
export interface RemediationPlan {
  request: RemediationRequest;
  /** "replicas: 3 → 6", "image: shop/payment:2.5.0 → shop/payment:2.4.0". */
  diff: string[];
  /** What to read afterwards to know it worked, in words for the thread. */
  verification: string;
  targetVersion: string;
  /** rollback: the revision that holds `toImage`, chosen by image. */
  toRevision?: number;
  /** scale: the count before the change. */
  fromReplicas?: number;
}

export type Planned = { ok: true; plan: RemediationPlan } | { ok: false; problem: string };

/**
 * One kind of fix, in one file each (src/healing/actions/): checked against the live deployment
 * before it is proposed, previewed by the API server (a server-side dry run), run, and described
 * for verification. Checks live in code, never in a prompt: the executor plans again at run time.
 */
export interface RemediationAction {
  readonly name: ProposedAction;
  plan(request: RemediationRequest, cluster: ClusterReader, now: number): Promise<Planned>;
  /** The same write with `dryRun=All`: the API server validates and admits it, and nothing changes. */
  preview(plan: RemediationPlan, cluster: Cluster): Promise<WriteResult>;
  /**
   * The write. `stamp` is fixed per request (its approval time): a restart carries it as its
   * `restartedAt`, so running the same request again after a crash restarts once. The other
   * writes are idempotent by themselves (a replica count, a revision, a pod that is gone).
   */
  execute(plan: RemediationPlan, cluster: Cluster, stamp: number): Promise<WriteResult>;
  /**
   * Whether the target already shows the change, read live: a worker that takes over from one
   * killed after it sent the write asks this before writing again (a rollback renumbers the
   * revision it went back to, and a deleted pod is gone, so those cannot simply be sent twice).
   * A restart answers no: sent again with the same stamp it changes nothing.
   */
  alreadyDone(plan: RemediationPlan, cluster: ClusterReader): Promise<boolean>;
}

/** The deployment's state an action depends on, as one string: compared before executing. */
export function deploymentVersion(deployment: Deployment): string {
  return JSON.stringify({ replicas: deployment.replicas, revision: deployment.revision, image: deployment.image });
}
