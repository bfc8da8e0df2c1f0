import type { Autoscaler, Cluster, ClusterEvent, Deployment, Pod, WriteOptions, WriteResult } from '../cluster.js';
import { notFound } from '../../errors.js';
import { SIM_NAMESPACE } from './estate.js';
import { nodeOf, serviceEvents } from './cluster-events.js';
import { validateReplicas } from './timeline.js';
import type { SimWorld } from './world.js';

/**
 * The simulated world's cluster through the same interface as the Kubernetes adapter. Writes
 * change the world: scaling spreads the load over more pods, a rollback ends a bad deploy, a
 * restart gives leaking containers a fresh heap. A dry run validates exactly as the write would
 * and changes nothing.
 */
export class SimulatedCluster implements Cluster {
  readonly kind = 'sim' as const;
  /** The last `restartedAt` stamp each deployment's template got. */
  private readonly restartStamps = new Map<string, number>();

  constructor(private readonly world: SimWorld) {}

  async listDeployments(namespace: string): Promise<Deployment[]> {
    if (namespace !== SIM_NAMESPACE) return [];
    return this.world.services().map((service) => this.deployment(service));
  }

  async getDeployment(namespace: string, name: string): Promise<Deployment> {
    return this.deployment(this.service(namespace, name));
  }

  async listPods(namespace: string, deployment?: string): Promise<Pod[]> {
    if (namespace !== SIM_NAMESPACE) return [];
    const services = deployment === undefined ? this.world.services() : [this.service(namespace, deployment)];
    return services.flatMap((service) => this.pods(service));
  }

  /** The simulated shop runs no HorizontalPodAutoscaler: its replica counts move only when healing scales them. */
  async getAutoscaler(_namespace: string, _deployment: string): Promise<Autoscaler | undefined> {
    return undefined;
  }

  async listEvents(namespace: string, involvedName?: string): Promise<ClusterEvent[]> {
    if (namespace !== SIM_NAMESPACE) return [];
    return this.world
      .services()
      .flatMap((service) => serviceEvents(this.world, service))
      .filter((event) => involvedName === undefined || event.involvedName === involvedName)
      .sort((left, right) => right.lastTimestamp - left.lastTimestamp);
  }

  async scale(namespace: string, name: string, replicas: number, options: WriteOptions = {}): Promise<WriteResult> {
    const service = this.service(namespace, name);
    const from = this.world.timeline(service).current().replicas;
    if (options.dryRun) {
      validateReplicas(replicas);
      return { dryRun: true, summary: `would scale ${namespace}/${name} from ${from} to ${replicas} replicas (dry run)` };
    }
    this.world.scale(service, replicas);
    return { dryRun: false, summary: `scaled ${namespace}/${name} from ${from} to ${replicas} replicas` };
  }

  async rolloutRestart(namespace: string, name: string, options: WriteOptions = {}): Promise<WriteResult> {
    const service = this.service(namespace, name);
    const pods = this.world.timeline(service).current().replicas;
    if (options.dryRun) return { dryRun: true, summary: `would restart ${namespace}/${name}, replacing ${pods} pods (dry run)` };
    // As on Kubernetes, the stamp is the pod template's: the same stamp again leaves the template, and the pods, as they are.
    if (options.restartedAt !== undefined && this.restartStamps.get(service) === options.restartedAt) return { dryRun: false, summary: `${namespace}/${name} was already restarted at ${new Date(options.restartedAt).toISOString()}; nothing to do` };
    if (options.restartedAt !== undefined) this.restartStamps.set(service, options.restartedAt);
    this.world.rolloutRestart(service);
    return { dryRun: false, summary: `restarted ${namespace}/${name}: ${pods} pods replaced` };
  }

  async rollback(namespace: string, name: string, toRevision?: number, options: WriteOptions = {}): Promise<WriteResult> {
    const service = this.service(namespace, name);
    const timeline = this.world.timeline(service);
    const from = timeline.currentReplicaSet();
    const target = timeline.rollbackTarget(toRevision);
    const change = `${namespace}/${name} from revision ${from.revision} (${from.version}) to revision ${target.revision} (${target.version})`;
    if (options.dryRun) return { dryRun: true, summary: `would roll back ${change} (dry run)` };
    this.world.rollback(service, toRevision);
    return { dryRun: false, summary: `rolled back ${change}` };
  }

  async deletePod(namespace: string, name: string, options: WriteOptions = {}): Promise<WriteResult> {
    const service = namespace === SIM_NAMESPACE ? this.world.serviceOfPod(name) : undefined;
    if (!service || !this.world.timeline(service).current().pods.some((pod) => pod.name === name)) throw notFound(`pod ${namespace}/${name}`);
    if (options.dryRun) return { dryRun: true, summary: `would delete pod ${namespace}/${name} (dry run)` };
    const replacement = this.world.deletePod(service, name);
    return { dryRun: false, summary: `deleted pod ${namespace}/${name}; its ReplicaSet started ${replacement.name}` };
  }

  private service(namespace: string, name: string): string {
    if (namespace !== SIM_NAMESPACE || !this.world.services().includes(name)) throw notFound(`deployment ${namespace}/${name}`);
    return name;
  }

  private deployment(service: string): Deployment {
    const timeline = this.world.timeline(service);
    const profile = timeline.profile;
    const pods = this.world.podStatuses(service, this.world.clock.now());
    const ready = pods.filter((pod) => pod.ready).length;
    const current = timeline.currentReplicaSet();
    return {
      namespace: SIM_NAMESPACE,
      name: service,
      replicas: timeline.current().replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: pods.filter((pod) => pod.replicaSetHash === current.hash).length,
      image: `${profile.image}:${current.version}`,
      revision: current.revision,
      revisions: [...timeline.replicaSets]
        .sort((left, right) => left.revision - right.revision)
        .map((replicaSet) => ({
          revision: replicaSet.revision,
          replicaSet: `${service}-${replicaSet.hash}`,
          image: `${profile.image}:${replicaSet.version}`,
          createdAt: replicaSet.createdAt,
          changeCause: replicaSet.changeCause,
        })),
      resources: resourcesOf(profile),
      selector: { app: service },
    };
  }

  private pods(service: string): Pod[] {
    const profile = this.world.profile(service);
    return this.world.podStatuses(service, this.world.clock.now()).map((pod) => ({
      namespace: SIM_NAMESPACE,
      name: pod.name,
      deployment: service,
      phase: 'Running',
      ready: pod.ready,
      restarts: pod.restarts,
      waitingReason: pod.crashLooping ? 'CrashLoopBackOff' : undefined,
      lastTerminationReason: pod.lastTerminationReason,
      node: nodeOf(pod.name),
      startedAt: pod.lastRestartAt ?? pod.createdAt,
      resources: resourcesOf(profile),
    }));
  }
}

function resourcesOf(profile: { cpuRequestCores: number; cpuLimitCores: number; memoryRequestBytes: number; memoryLimitBytes: number }) {
  return {
    cpuRequestCores: profile.cpuRequestCores,
    cpuLimitCores: profile.cpuLimitCores,
    memoryRequestBytes: profile.memoryRequestBytes,
    memoryLimitBytes: profile.memoryLimitBytes,
  };
}
