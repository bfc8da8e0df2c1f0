import { inputError, notFound } from '../../errors.js';
import type { Clock } from './clock.js';
import { ESTATE, SIM_NAMESPACE, callersOf, estateProfile, type ServiceProfile } from './estate.js';
import { LATENCY_BUCKETS, histogramQuantile } from './histogram.js';
import { crashLoopState, leakState } from './pod-lifecycle.js';
import { gaussian, normalCdf } from './random.js';
import { findScenario, SCENARIOS, type FaultEffect, type Scenario } from './scenarios.js';
import { DeploymentTimeline, type PodRecord } from './timeline.js';

/** The world's resolution: every signal is the value of the minute ending at a tick. */
export const TICK_MILLISECONDS = 60_000;
/** How long a change takes to show one hop up the call graph (pools fill, retries pile up). */
export const HOP_LAG_MILLISECONDS = 60_000;
/** Spread of request latency around its median (log-normal sigma). */
const LATENCY_SIGMA = 0.45;
/** Callers retry some failed calls; this share of a dependency's errors reaches the caller. */
const PROPAGATED_ERROR_SHARE = 0.8;
const MEBIBYTE = 1024 * 1024;

export interface PodStatus extends PodRecord {
  ready: boolean;
  crashLooping: boolean;
  restarts: number;
  lastRestartAt?: number;
  lastTerminationReason?: 'OOMKilled' | 'Error';
}

export interface PodSnapshot extends PodStatus {
  cpuCores: number;
  memoryBytes: number;
  /** Share of the service's requests this pod serves (shares sum to 1). */
  requestShare: number;
}

export interface ServiceSnapshot {
  service: string;
  /** The tick: the end of the minute the values describe. */
  time: number;
  requestRate: number;
  errorRate: number;
  latencyMedianSeconds: number;
  latencyP95Seconds: number;
  /** Cumulative share of requests at or below each of LATENCY_BUCKETS (the +Inf bucket is 1). */
  latencyBucketShares: number[];
  cpuCores: number;
  memoryBytes: number;
  restartsInMinute: number;
  /** CPU demand over CPU limit of the ready pods; above 1 the service sheds load. */
  utilisation: number;
  replicas: number;
  readyReplicas: number;
  pods: PodSnapshot[];
  /** The dependency that hurts this service most, when one does. */
  upstream?: { service: string; kind: 'errors' | 'latency' };
  /** The scenario's effect when this service is the root cause and the fault is live. */
  fault?: FaultEffect;
  /** Working set above 85% of the memory limit in some pod. */
  memoryNearLimit: boolean;
}

export interface SimWorldOptions {
  clock: Clock;
  /** Same seed, same world (default 42). */
  seed?: number;
  /** A scenario name from SCENARIOS; none: a healthy estate. */
  scenario?: string;
  /** When the fault starts, ms since the epoch (default: the clock's now). */
  faultStart?: number;
}

/**
 * Snapshots (and request rates) kept, oldest first out: a day of each of the world's ten
 * deployments and an hour more, since reading a day of the whole estate (what `aiops ask` does
 * first) reuses each service's and its callers' minutes; at 10,000 they were dropped before their
 * reuse and the ask took a fifth longer. A snapshot with its pods is about 1.1 KB of heap (`npm run
 * bench:sim:memory`), so this is about 15 MiB. Readers of longer ranges lose little: the metrics keep
 * every value once read (SimulatedMetrics). Oldest first out keeps a long-running process's heap
 * level; emptying the whole cache when full made a saw-tooth of it (at 60x, 40 MiB climbed for
 * half an hour, then fell).
 */
const SNAPSHOTS_KEPT = ESTATE.length * (24 + 1) * 60;
const SERVICE_INDEX = new Map(ESTATE.map((profile, index) => [profile.name, index]));

/**
 * A number unique to (service, tick), so each cache can be one insertion-ordered Map. Minutes
 * times the estate's size stays a small integer (below 2^30 until past 2100), which V8 hashes
 * much faster than a double or a string.
 */
function cacheKey(service: string, tick: number): number {
  return (tick / TICK_MILLISECONDS) * ESTATE.length + SERVICE_INDEX.get(service)!;
}

/** Adds an entry, first dropping the one added longest ago when the map is full (a Map iterates in insertion order). */
function keepNewest<Value>(map: Map<number, Value>, key: number, value: Value): void {
  if (map.size >= SNAPSHOTS_KEPT) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/**
 * The simulated estate. Every value is a pure function of the time asked about, the seed and
 * the writes made so far, so history can be read at any instant in any order and two worlds
 * with the same seed differ only by their fault.
 */
export class SimWorld {
  readonly clock: Clock;
  readonly seed: number;
  readonly scenario?: Scenario;
  readonly faultStart?: number;
  private readonly timelines = new Map<string, DeploymentTimeline>();
  private faultResolvedAt?: number;
  private faultDeployPending: boolean;
  /** Computed snapshots by cacheKey: numbers for keys, since every sample of every range asks here. */
  private readonly snapshots = new Map<number, ServiceSnapshot>();
  private changes = 0;
  private readonly rates = new Map<number, number>();

  constructor(options: SimWorldOptions) {
    this.clock = options.clock;
    this.seed = options.seed ?? 42;
    if (options.scenario !== undefined) {
      const scenario = findScenario(options.scenario);
      if (!scenario) throw inputError('scenario', `unknown scenario "${options.scenario}"; expected one of ${SCENARIOS.map((known) => known.name).join(', ')}`);
      this.scenario = scenario;
      this.faultStart = options.faultStart ?? this.clock.now();
    }
    // Anchored to a day boundary so worlds created a little apart (a test's world with a fault and
    // its twin without) have the same deploy history, pod names and so the same noise.
    const worldStart = Math.floor(Math.min(this.clock.now(), this.faultStart ?? Number.POSITIVE_INFINITY) / 86_400_000) * 86_400_000;
    for (const profile of ESTATE) this.timelines.set(profile.name, new DeploymentTimeline(profile, this.seed, worldStart));
    this.faultDeployPending = this.scenario?.deploy !== undefined;
    this.synchronise();
  }

  get namespace(): string {
    return SIM_NAMESPACE;
  }

  services(): string[] {
    return ESTATE.map((profile) => profile.name);
  }

  profile(service: string): ServiceProfile {
    const profile = estateProfile(service);
    if (!profile) throw notFound(`service ${service} in the simulated world`, `it has ${this.services().join(', ')}`);
    return profile;
  }

  timeline(service: string): DeploymentTimeline {
    this.synchronise();
    this.profile(service);
    return this.timelines.get(service)!;
  }

  /** Whether the scenario's fault is live at `time` (it ends when fixed, or rolled back past). */
  faultActiveAt(time: number): boolean {
    if (!this.scenario || this.faultStart === undefined || time < this.faultStart) return false;
    if (this.faultResolvedAt !== undefined && time >= this.faultResolvedAt) return false;
    if (this.scenario.deploy) {
      const timeline = this.timelines.get(this.scenario.rootCause)!;
      return timeline.replicaSet(timeline.epochAt(time).replicaSetHash).version === this.scenario.deploy.version;
    }
    return true;
  }

  /** The state of a service during the minute ending at the tick at or before `time`. */
  snapshot(service: string, time: number): ServiceSnapshot {
    this.synchronise();
    const tick = tickOf(time);
    // An unknown service's key is NaN, found nowhere: profile() then says what is wrong.
    const cached = this.snapshots.get(cacheKey(service, tick));
    if (cached) return cached;
    this.profile(service);
    return this.snapshotAtTick(service, tick);
  }

  // Writes: each happens at the clock's now and changes what the world shows from then on.

  scale(service: string, replicas: number): { from: number; to: number } {
    const result = this.timeline(service).scale(this.clock.now(), replicas);
    this.forgetFrom();
    return result;
  }

  rolloutRestart(service: string): void {
    this.timeline(service).rolloutRestart(this.clock.now());
    if (this.scenario?.fixedBy === 'rollout-restart' && service === this.scenario.rootCause && this.faultActiveAt(this.clock.now())) {
      this.faultResolvedAt = this.clock.now();
    }
    this.forgetFrom();
  }

  rollback(service: string, toRevision?: number): ReturnType<DeploymentTimeline['rollback']> {
    const result = this.timeline(service).rollback(this.clock.now(), toRevision);
    this.forgetFrom();
    return result;
  }

  deletePod(service: string, podName: string): PodRecord {
    const replacement = this.timeline(service).deletePod(this.clock.now(), podName);
    this.forgetFrom();
    return replacement;
  }

  /** The deployment owning a pod, by name. */
  serviceOfPod(podName: string): string | undefined {
    return this.services()
      .filter((service) => podName.startsWith(`${service}-`))
      .sort((left, right) => right.length - left.length)[0];
  }

  /** A scenario's deploy lands once the clock reaches the fault's start. */
  private synchronise(): void {
    if (!this.faultDeployPending || this.faultStart === undefined || this.clock.now() < this.faultStart) return;
    const scenario = this.scenario!;
    this.timelines.get(scenario.rootCause)!.deploy(this.faultStart, scenario.deploy!.version, scenario.deploy!.changeCause);
    this.faultDeployPending = false;
    this.forgetFrom();
  }

  /** Cached values may describe a state a write just changed. */
  private forgetFrom(): void {
    this.snapshots.clear();
    this.rates.clear();
    this.changes += 1;
  }

  /** Bumped whenever a write (or the scenario's deploy) changes what the world shows: values kept from before may be stale. */
  get revision(): number {
    return this.changes;
  }

  /** The fault's effect on a service during the minute ending at `tick`. */
  private faultEffect(service: string, tick: number): FaultEffect | undefined {
    if (!this.scenario || service !== this.scenario.rootCause || !this.faultActiveAt(tick - 1)) return undefined;
    return this.scenario.effect((tick - this.faultStart!) / 1000);
  }

  /**
   * The pods as the API server shows them at `time`: the state in force at that instant (a write
   * shows at once), not the last whole minute that metrics describe.
   */
  podStatuses(service: string, time: number): PodStatus[] {
    this.synchronise();
    const profile = this.profile(service);
    const epoch = this.timelines.get(service)!.epochAt(time);
    const fault = this.scenario?.rootCause === service && this.faultActiveAt(time) ? this.scenario.effect((time - this.faultStart!) / 1000) : undefined;
    return epoch.pods.map((pod) => ({ ...pod, ...podLifecycle(profile, pod, time, fault, this.faultStart ?? time, this.seed).status }));
  }

  private requestRate(service: string, tick: number): number {
    const key = cacheKey(service, tick);
    const cached = this.rates.get(key);
    if (cached !== undefined) return cached;
    const profile = this.profile(service);
    const external = profile.externalPeakRate * dailySeasonality(tick) * (1 + 0.03 * gaussian(this.seed, 'traffic', service, tick));
    const surge = (this.faultEffect(service, tick)?.addedExternalRate ?? 0) * (1 + 0.02 * gaussian(this.seed, 'surge', service, tick));
    let rate = external + surge;
    for (const caller of callersOf(service)) {
      // A caller whose containers crash never gets as far as calling anyone.
      if (this.faultEffect(caller, tick)?.crashLoop) continue;
      rate += this.requestRate(caller, tick) * this.profile(caller).calls[service]!;
    }
    keepNewest(this.rates, key, rate);
    return rate;
  }

  private snapshotAtTick(service: string, tick: number): ServiceSnapshot {
    const key = cacheKey(service, tick);
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    const snapshot = this.computeSnapshot(service, tick);
    keepNewest(this.snapshots, key, snapshot);
    return snapshot;
  }

  private computeSnapshot(service: string, tick: number): ServiceSnapshot {
    const profile = this.profile(service);
    // A tick describes the minute before it: a write landing exactly on the tick shows from the next one.
    const epoch = this.timelines.get(service)!.epochAt(tick - 1);
    const fault = this.faultEffect(service, tick);
    const requestRate = this.requestRate(service, tick);
    const seed = this.seed;

    const lifecycles = epoch.pods.map((pod) => podLifecycle(profile, pod, tick, fault, this.faultStart ?? tick, seed));
    const ready = lifecycles.filter((lifecycle) => lifecycle.ready);
    const weights = lifecycles.map((lifecycle, index) => (ready.length === 0 || lifecycle.ready ? 1 + 0.05 * gaussian(seed, 'share', epoch.pods[index]!.name) : 0));
    const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
    const shares = weights.map((weight) => (weightSum > 0 ? weight / weightSum : 0));

    const demand = requestRate * profile.cpuSecondsPerRequest * (1 + 0.02 * gaussian(seed, 'cpu', service, tick)) + ready.length * profile.idleCpuCores;
    const capacity = ready.length * profile.cpuLimitCores;
    const utilisation = capacity > 0 ? demand / capacity : Number.POSITIVE_INFINITY;
    const servingCpu = Math.min(demand, 0.97 * capacity);
    const queueing = utilisation <= 0.5 ? 1 : 0.5 / (1 - Math.min(utilisation, 0.98));
    const shed = utilisation > 1 ? 1 - 1 / utilisation : 0;

    const pods: PodSnapshot[] = epoch.pods.map((pod, index) => {
      const lifecycle = lifecycles[index]!;
      const requestsPerSecond = requestRate * shares[index]!;
      const baseMemory = profile.baseMemoryBytes * (1 + 0.04 * gaussian(seed, 'memory-base', pod.name));
      const memory = lifecycle.crashLooping
        ? 24 * MEBIBYTE * (1 + 0.05 * gaussian(seed, 'memory', pod.name, tick))
        : Math.min(
            profile.memoryLimitBytes,
            (baseMemory + requestsPerSecond * profile.memoryPerRequestBytes) * (1 + 0.004 * gaussian(seed, 'memory', pod.name, tick)) + lifecycle.leakedBytes,
          );
      const cpu = lifecycle.ready ? servingCpu * (ready.length > 0 ? weights[index]! / weightSum : 0) : 0.03;
      const status = lifecycle.status;
      // Every field named, not spread: V8 (Node 20) gives each object built by spreading a hidden
      // class of its own, and the snapshot cache keeps tens of thousands of these pods.
      return {
        name: pod.name,
        replicaSetHash: pod.replicaSetHash,
        createdAt: pod.createdAt,
        ready: status.ready,
        crashLooping: status.crashLooping,
        restarts: status.restarts,
        lastRestartAt: status.lastRestartAt,
        lastTerminationReason: status.lastTerminationReason,
        cpuCores: cpu,
        memoryBytes: memory,
        requestShare: shares[index]!,
      };
    });

    let latencyMedian = profile.processingSeconds * queueing * (fault?.latencyMultiplier ?? 1) * Math.exp(0.05 * gaussian(seed, 'latency', service, tick));
    const ownErrors =
      Math.max(0, profile.baseErrorRate * (1 + 0.3 * gaussian(seed, 'errors', service, tick))) +
      (fault?.addedErrorRate ?? 0) +
      shed +
      lifecycles.reduce((sum, lifecycle, index) => sum + (lifecycle.downSecondsInLastMinute / 60) * shares[index]!, 0);
    let success = 1 - Math.min(1, ownErrors);
    let worstErrors = { service: '', share: 0 };
    let worstLatency = { service: '', seconds: 0 };
    for (const [dependency, calls] of Object.entries(profile.calls)) {
      const state = this.snapshotAtTick(dependency, tick - HOP_LAG_MILLISECONDS);
      const timeout = this.profile(dependency).callerTimeoutSeconds;
      const timedOut = 1 - normalCdf(Math.log(timeout / state.latencyMedianSeconds) / LATENCY_SIGMA);
      const failedShare = Math.min(1, calls * (state.errorRate * PROPAGATED_ERROR_SHARE + timedOut));
      const waited = calls * Math.min(state.latencyMedianSeconds, timeout);
      latencyMedian += waited;
      success *= 1 - failedShare;
      if (failedShare > worstErrors.share) worstErrors = { service: dependency, share: failedShare };
      if (waited > worstLatency.seconds) worstLatency = { service: dependency, seconds: waited };
    }
    let errorRate = 1 - success;
    if (ready.length === 0) {
      // Nothing is listening: callers get connection refused at once.
      errorRate = 1;
      latencyMedian = 0.003;
    }
    const latencyBucketShares = LATENCY_BUCKETS.map((bound) => normalCdf(Math.log(bound / latencyMedian) / LATENCY_SIGMA));
    const latencyP95 = histogramQuantile(0.95, [
      ...latencyBucketShares.map((share, index) => ({ upperBound: LATENCY_BUCKETS[index]!, count: requestRate * share })),
      { upperBound: Number.POSITIVE_INFINITY, count: requestRate },
    ]);
    const upstream =
      worstErrors.share > 0.01
        ? { service: worstErrors.service, kind: 'errors' as const }
        : worstLatency.seconds > 0.05 && worstLatency.seconds > 0.4 * latencyMedian
          ? { service: worstLatency.service, kind: 'latency' as const }
          : undefined;

    return {
      service,
      time: tick,
      requestRate,
      errorRate,
      latencyMedianSeconds: latencyMedian,
      latencyP95Seconds: latencyP95,
      latencyBucketShares,
      cpuCores: pods.reduce((sum, pod) => sum + pod.cpuCores, 0),
      memoryBytes: pods.reduce((sum, pod) => sum + pod.memoryBytes, 0),
      restartsInMinute: lifecycles.reduce((sum, lifecycle) => sum + lifecycle.restartsInMinute, 0),
      utilisation,
      replicas: epoch.replicas,
      readyReplicas: ready.length,
      pods,
      upstream,
      fault,
      memoryNearLimit: pods.some((pod) => pod.memoryBytes > 0.85 * profile.memoryLimitBytes),
    };
  }
}

export function tickOf(time: number): number {
  return Math.floor(time / TICK_MILLISECONDS) * TICK_MILLISECONDS;
}

/** Shop traffic: lowest around 08:00 UTC, highest around 20:00 UTC, from 20% to 100% of peak. */
export function dailySeasonality(time: number): number {
  const hour = (time / 3_600_000) % 24;
  return 0.6 + 0.4 * Math.cos((2 * Math.PI * (hour - 20)) / 24);
}

interface PodLifecycle {
  ready: boolean;
  crashLooping: boolean;
  leakedBytes: number;
  downSecondsInLastMinute: number;
  restartsInMinute: number;
  status: Omit<PodStatus, keyof PodRecord>;
}

function podLifecycle(profile: ServiceProfile, pod: PodRecord, tick: number, fault: FaultEffect | undefined, faultStart: number, seed: number): PodLifecycle {
  if (fault?.crashLoop) {
    const now = crashLoopState(pod.createdAt, tick);
    const before = crashLoopState(pod.createdAt, tick - TICK_MILLISECONDS);
    return {
      ready: false,
      crashLooping: true,
      leakedBytes: 0,
      downSecondsInLastMinute: 60,
      restartsInMinute: now.restarts - before.restarts,
      status: { ready: false, crashLooping: true, restarts: now.restarts, lastRestartAt: now.lastRestartAt, lastTerminationReason: now.restarts > 0 ? 'Error' : undefined },
    };
  }
  if (fault?.leakBytesPerSecond) {
    const leakStart = Math.max(pod.createdAt, faultStart);
    const baseMemory = profile.baseMemoryBytes * (1 + 0.04 * gaussian(seed, 'memory-base', pod.name));
    const headroom = profile.memoryLimitBytes - baseMemory * 1.05;
    const now = leakState(leakStart, tick, fault.leakBytesPerSecond, headroom);
    const before = leakState(leakStart, tick - TICK_MILLISECONDS, fault.leakBytesPerSecond, headroom);
    return {
      ready: true,
      crashLooping: false,
      leakedBytes: now.leakedBytes,
      downSecondsInLastMinute: now.downSecondsInLastMinute,
      restartsInMinute: now.restarts - before.restarts,
      status: { ready: true, crashLooping: false, restarts: now.restarts, lastRestartAt: now.lastRestartAt, lastTerminationReason: now.restarts > 0 ? 'OOMKilled' : undefined },
    };
  }
  return {
    ready: true,
    crashLooping: false,
    leakedBytes: 0,
    downSecondsInLastMinute: 0,
    restartsInMinute: 0,
    status: { ready: true, crashLooping: false, restarts: 0 },
  };
}
