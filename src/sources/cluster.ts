export interface ContainerResources {
  cpuRequestCores?: number;
  cpuLimitCores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
}

export interface DeploymentRevision {
  revision: number;
  replicaSet: string;
  image: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  /** The `kubernetes.io/change-cause` annotation, when set. */
  changeCause?: string;
}

export interface Deployment {
  namespace: string;
  name: string;
  /** Desired replicas. */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  /** Image of the first container of the current template. */
  image: string;
  /** Current revision (the newest ReplicaSet's). */
  revision: number;
  /** Every revision still kept, oldest first. */
  revisions: DeploymentRevision[];
  /** Resources of the first container of the current template. */
  resources: ContainerResources;
  /** Pod label selector, e.g. { app: 'order-service' }. */
  selector: Record<string, string>;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface Pod {
  namespace: string;
  name: string;
  /** The owning deployment, when the pod belongs to one. */
  deployment?: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  /** Why the container is waiting, e.g. CrashLoopBackOff. */
  waitingReason?: string;
  /** Why the container last terminated, e.g. OOMKilled, Error. */
  lastTerminationReason?: string;
  node?: string;
  /** Milliseconds since the Unix epoch. */
  startedAt?: number;
  resources: ContainerResources;
}

export interface ClusterEvent {
  namespace: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedKind: string;
  involvedName: string;
  count: number;
  /** Milliseconds since the Unix epoch. */
  lastTimestamp: number;
}

/**
 * A HorizontalPodAutoscaler's range for one deployment. While one exists it owns the replica
 * count: a scale outside [minReplicas, maxReplicas] is undone at its next sync, so a fix must
 * stay inside it to last.
 */
export interface Autoscaler {
  /** The HorizontalPodAutoscaler's own name, which need not be the deployment's. */
  name: string;
  /** spec.minReplicas; Kubernetes takes 1 when it is absent. */
  minReplicas: number;
  maxReplicas: number;
}

export interface WriteOptions {
  /** Ask the API server to validate and admit the change without persisting it. */
  dryRun?: boolean;
  /**
   * Restarts only: the `restartedAt` stamp, ms since the epoch (default now). The same stamp sent
   * twice changes the pod template once, so a write retried or resumed after a crash restarts once.
   */
  restartedAt?: number;
}

export interface WriteResult {
  dryRun: boolean;
  /** What changed (or would change), in words. */
  summary: string;
}

/**
 * The cluster, read and write. Writes exist for the healing issue: they are called only from
 * `src/healing/` after policy and approval, never from a tool given to an LLM.
 */
export interface Cluster {
  readonly kind: 'kubernetes' | 'sim';
  listDeployments(namespace: string): Promise<Deployment[]>;
  getDeployment(namespace: string, name: string): Promise<Deployment>;
  /** Pods of one deployment, or every pod of the namespace. */
  listPods(namespace: string, deployment?: string): Promise<Pod[]>;
  /** Events of the namespace, newest first; only those about `involvedName` when given. */
  listEvents(namespace: string, involvedName?: string): Promise<ClusterEvent[]>;
  /**
   * The HorizontalPodAutoscaler (autoscaling/v2) whose scaleTargetRef is this deployment, or
   * undefined when none scales it. HPAs are found by target, not by name: an HPA may be named
   * anything, and the one that matters is the one that would undo a scale.
   */
  getAutoscaler(namespace: string, deployment: string): Promise<Autoscaler | undefined>;
  scale(namespace: string, name: string, replicas: number, options?: WriteOptions): Promise<WriteResult>;
  rolloutRestart(namespace: string, name: string, options?: WriteOptions): Promise<WriteResult>;
  /** Back to `toRevision`, or to the revision before the current one. */
  rollback(namespace: string, name: string, toRevision?: number, options?: WriteOptions): Promise<WriteResult>;
  deletePod(namespace: string, name: string, options?: WriteOptions): Promise<WriteResult>;
}
