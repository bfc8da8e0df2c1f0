import { AiopsError, ErrorCode, inputError, notFound } from '../../errors.js';
import type { ServiceProfile } from './estate.js';
import { hashKey, kubernetesSuffix } from './random.js';

/**
 * The Kubernetes side of one simulated deployment over time: its ReplicaSets (revisions) and a
 * list of epochs, each saying which ReplicaSet runs how many pods from when. Writes append an
 * epoch at the current time, so history stays as it was and the world's signals after the write
 * follow the new state.
 */

export interface ReplicaSetRecord {
  /** The pod-template hash, the ReplicaSet name's suffix. */
  hash: string;
  revision: number;
  version: string;
  createdAt: number;
  changeCause?: string;
}

export interface PodRecord {
  name: string;
  replicaSetHash: string;
  createdAt: number;
}

export interface Epoch {
  since: number;
  replicas: number;
  replicaSetHash: string;
  pods: PodRecord[];
}

const DAY = 86_400_000;

export function validateReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 200) throw inputError('replicas', 'expected a whole number from 0 to 200');
}

export class DeploymentTimeline {
  readonly replicaSets: ReplicaSetRecord[] = [];
  readonly epochs: Epoch[] = [];

  constructor(
    readonly profile: ServiceProfile,
    private readonly seed: number,
    worldStart: number,
  ) {
    profile.versions.forEach((version, index) => {
      const createdAt = worldStart - (profile.versions.length - index) * 4 * DAY + index * 3_600_000;
      this.replicaSets.push({ hash: this.templateHash(version, index), revision: index + 1, version, createdAt, changeCause: `deploy ${profile.name} ${version}` });
    });
    const current = this.replicaSets[this.replicaSets.length - 1]!;
    this.epochs.push({ since: Number.NEGATIVE_INFINITY, replicas: profile.replicas, replicaSetHash: current.hash, pods: this.newPods(current.hash, profile.replicas, current.createdAt) });
  }

  get name(): string {
    return this.profile.name;
  }

  /** The epoch in force at `time`. */
  epochAt(time: number): Epoch {
    for (let index = this.epochs.length - 1; index >= 0; index -= 1) {
      if (this.epochs[index]!.since <= time) return this.epochs[index]!;
    }
    return this.epochs[0]!;
  }

  current(): Epoch {
    return this.epochs[this.epochs.length - 1]!;
  }

  replicaSet(hash: string): ReplicaSetRecord {
    const record = this.replicaSets.find((replicaSet) => replicaSet.hash === hash);
    if (!record) throw new AiopsError(ErrorCode.Internal, `replica set ${hash} missing from ${this.name}`);
    return record;
  }

  currentReplicaSet(): ReplicaSetRecord {
    return this.replicaSet(this.current().replicaSetHash);
  }

  /** A new version rolled out at `time`: a new ReplicaSet, every pod replaced. */
  deploy(time: number, version: string, changeCause: string): ReplicaSetRecord {
    const record: ReplicaSetRecord = {
      hash: this.templateHash(version, this.replicaSets.length),
      revision: this.highestRevision() + 1,
      version,
      createdAt: time,
      changeCause,
    };
    this.replicaSets.push(record);
    this.append({ since: time, replicas: this.current().replicas, replicaSetHash: record.hash, pods: this.newPods(record.hash, this.current().replicas, time) });
    return record;
  }

  scale(time: number, replicas: number): { from: number; to: number } {
    validateReplicas(replicas);
    const current = this.current();
    const pods = current.pods.slice(0, replicas);
    if (replicas > pods.length) pods.push(...this.newPods(current.replicaSetHash, replicas - pods.length, time));
    this.append({ since: time, replicas, replicaSetHash: current.replicaSetHash, pods });
    return { from: current.replicas, to: replicas };
  }

  /**
   * Like `kubectl rollout restart`: the template gains a restartedAt annotation, so a new
   * ReplicaSet and revision with the same version replaces every pod. (A later plain rollback
   * therefore returns to the same version, as on a real cluster.)
   */
  rolloutRestart(time: number): ReplicaSetRecord {
    const current = this.currentReplicaSet();
    return this.deploy(time, current.version, current.changeCause ?? `restart ${this.name}`);
  }

  /** What `kubectl rollout undo` does: the target ReplicaSet's template comes back as the newest revision. */
  rollback(time: number, toRevision?: number): { from: ReplicaSetRecord; to: ReplicaSetRecord } {
    const from = this.currentReplicaSet();
    const target = this.rollbackTarget(toRevision);
    const fromCopy = { ...from };
    target.revision = this.highestRevision() + 1;
    this.append({ since: time, replicas: this.current().replicas, replicaSetHash: target.hash, pods: this.newPods(target.hash, this.current().replicas, time) });
    return { from: fromCopy, to: target };
  }

  /** The ReplicaSet a rollback would go to; throws AIOPS_NOT_FOUND when there is none. */
  rollbackTarget(toRevision?: number): ReplicaSetRecord {
    const current = this.currentReplicaSet();
    const available = this.replicaSets.filter((replicaSet) => replicaSet !== current).sort((left, right) => right.revision - left.revision);
    const target = toRevision === undefined ? available[0] : available.find((replicaSet) => replicaSet.revision === toRevision);
    if (!target) {
      const revisions = available.map((replicaSet) => replicaSet.revision).join(', ') || 'none';
      throw notFound(
        toRevision === undefined ? `an earlier revision of deployment shop/${this.name}` : `revision ${toRevision} of deployment shop/${this.name}`,
        `available revisions: ${revisions}`,
      );
    }
    return target;
  }

  /** The pod is replaced by a new one, as its ReplicaSet would. */
  deletePod(time: number, podName: string): PodRecord {
    const current = this.current();
    const index = current.pods.findIndex((pod) => pod.name === podName);
    if (index < 0) throw notFound(`pod shop/${podName}`);
    const pods = [...current.pods];
    const [replacement] = this.newPods(current.replicaSetHash, 1, time);
    pods[index] = replacement!;
    this.append({ since: time, replicas: current.replicas, replicaSetHash: current.replicaSetHash, pods });
    return replacement!;
  }

  private append(epoch: Epoch): void {
    // Two writes in the same instant: the later one wins, as on a real API server.
    if (this.current().since === epoch.since) this.epochs.pop();
    this.epochs.push(epoch);
  }

  private highestRevision(): number {
    return Math.max(...this.replicaSets.map((replicaSet) => replicaSet.revision));
  }

  private templateHash(version: string, index: number): string {
    return kubernetesSuffix(10, this.seed, this.name, version, index).slice(0, 9 + (hashKey(this.name, version) % 2));
  }

  private newPods(replicaSetHash: string, count: number, createdAt: number): PodRecord[] {
    const pods: PodRecord[] = [];
    for (let index = 0; index < count; index += 1) {
      pods.push({ name: `${this.name}-${replicaSetHash}-${kubernetesSuffix(5, this.seed, this.name, replicaSetHash, createdAt, index)}`, replicaSetHash, createdAt });
    }
    return pods;
  }
}
