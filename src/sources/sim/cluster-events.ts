import type { ClusterEvent } from '../cluster.js';
import { SIM_NAMESPACE } from './estate.js';
import { hashKey } from './random.js';
import { TICK_MILLISECONDS, tickOf, type SimWorld } from './world.js';

/** Kubernetes keeps events for an hour by default; so does the simulated world. */
const EVENT_RETENTION_MILLISECONDS = 3_600_000;

/** The events a real cluster would hold for a service now: rollouts, pod starts, back-offs, OOM kills, failing probes. */
export function serviceEvents(world: SimWorld, service: string): ClusterEvent[] {
  const now = world.clock.now();
  const since = now - EVENT_RETENTION_MILLISECONDS;
  const timeline = world.timeline(service);
  const events: ClusterEvent[] = [];
  const event = (type: ClusterEvent['type'], reason: string, message: string, involvedKind: string, involvedName: string, lastTimestamp: number, count = 1): void => {
    events.push({ namespace: SIM_NAMESPACE, type, reason, message, involvedKind, involvedName, count, lastTimestamp });
  };

  timeline.epochs.forEach((epoch, index) => {
    if (index === 0 || epoch.since < since || epoch.since > now) return;
    const previous = timeline.epochs[index - 1]!;
    const replicaSet = `${service}-${epoch.replicaSetHash}`;
    if (previous.replicaSetHash !== epoch.replicaSetHash) {
      event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${replicaSet} to ${epoch.replicas}`, 'Deployment', service, epoch.since);
      event('Normal', 'ScalingReplicaSet', `Scaled down replica set ${service}-${previous.replicaSetHash} to 0`, 'Deployment', service, epoch.since + 20_000);
    } else if (previous.replicas !== epoch.replicas) {
      const direction = epoch.replicas > previous.replicas ? 'up' : 'down';
      event('Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${replicaSet} to ${epoch.replicas}`, 'Deployment', service, epoch.since);
    }
    const previousNames = new Set(previous.pods.map((pod) => pod.name));
    for (const pod of epoch.pods) {
      if (previousNames.has(pod.name)) continue;
      event('Normal', 'Scheduled', `Successfully assigned ${SIM_NAMESPACE}/${pod.name} to ${nodeOf(pod.name)}`, 'Pod', pod.name, pod.createdAt);
      event('Normal', 'Started', `Started container ${service}`, 'Pod', pod.name, pod.createdAt + 4_000);
    }
    for (const pod of previous.pods) {
      if (!epoch.pods.some((current) => current.name === pod.name)) event('Normal', 'Killing', `Stopping container ${service}`, 'Pod', pod.name, epoch.since);
    }
  });

  const pods = world.podStatuses(service, now);
  for (const pod of pods) {
    if (pod.restarts === 0 || pod.lastRestartAt === undefined || pod.lastRestartAt < since) continue;
    if (pod.lastTerminationReason === 'OOMKilled') {
      event('Warning', 'OOMKilling', `Memory cgroup out of memory: Killed process ${1000 + (hashKey(pod.name) % 30000)} (java) in container ${service}`, 'Pod', pod.name, pod.lastRestartAt, pod.restarts);
    }
    event('Warning', 'BackOff', `Back-off restarting failed container ${service} in pod ${pod.name}`, 'Pod', pod.name, pod.lastRestartAt, pod.restarts);
  }

  // Probes time out while a service is saturated or very slow: one aggregated event, like the kubelet's.
  let unhealthyMinutes = 0;
  let lastUnhealthy = 0;
  for (let tick = tickOf(since) + TICK_MILLISECONDS; tick <= now; tick += TICK_MILLISECONDS) {
    const minute = world.snapshot(service, tick);
    if (minute.readyReplicas > 0 && (minute.utilisation > 1 || minute.latencyP95Seconds > 2)) {
      unhealthyMinutes += 1;
      lastUnhealthy = tick;
    }
  }
  if (unhealthyMinutes > 0) {
    const pod = pods[0]?.name ?? service;
    event('Warning', 'Unhealthy', 'Readiness probe failed: Get "http://10.42.0.17:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 'Pod', pod, lastUnhealthy, unhealthyMinutes);
  }
  return events;
}

export function nodeOf(podName: string): string {
  return `shop-pool-${1 + (hashKey(podName) % 3)}`;
}
