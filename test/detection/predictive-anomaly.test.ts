import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/signals.js';
import { formatQuantity } from '../../src/format-quantity.js';
import { formatTimeLeft, predictiveAnomaly, worstPodPredictiveAnomaly, type PodSeries } from '../../src/detection/predictive-anomaly.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { SimWorld } from '../../src/sources/sim/world.js';

const MINUTE = 60_000;
const MEBIBYTE = 1024 * 1024;
const LIMIT = 512 * MEBIBYTE;
const START = Date.UTC(2026, 2, 3, 9, 0, 0);

/** One sample a minute for `minutes` minutes, climbing linearly so that it meets `capacity` `secondsLeft` after the last. */
function climbTowards(capacity: number, secondsLeft: number, options: { minutes?: number; from?: number } = {}): { samples: Sample[]; now: number } {
  const minutes = options.minutes ?? 30;
  const from = options.from ?? 0.4 * capacity;
  const slope = (capacity - from) / (minutes * 60 + secondsLeft);
  const samples = Array.from({ length: minutes + 1 }, (_, minute) => ({ timestamp: START + minute * MINUTE, value: from + slope * minute * 60 }));
  return { samples, now: START + minutes * MINUTE };
}

describe('predictiveAnomaly', () => {
  it('raises a predictive anomaly with a human summary before memory reaches its limit', () => {
    const { samples, now } = climbTowards(LIMIT, 35 * 60);
    const anomaly = predictiveAnomaly({ service: 'cart', signal: 'memory', samples, capacity: LIMIT, capacityName: 'memory limit', now })!;
    expect(anomaly).toBeDefined();
    expect(anomaly.summary).toBe('cart memory reaches its limit (512 MiB) in about 35 min');
    expect(anomaly.kind).toBe('predictive');
    expect(anomaly.service).toBe('cart');
    expect(anomaly.signals).toEqual(['memory']);
    expect(anomaly.severity).toBe('warning');
    expect(anomaly.score).toBeGreaterThan(0.99);
    expect(anomaly.detectedAt).toBe(now);
    expect(anomaly.evidence).toEqual({ start: START, end: now });
    expect(anomaly.id).toBe(`predictive:cart:memory:memory-limit:${now}`);
    expect(Math.abs(anomaly.prediction.secondsToExhaustion - 35 * 60)).toBeLessThan(30);
    expect(Math.abs(anomaly.prediction.exhaustionAt - (now + 35 * MINUTE))).toBeLessThan(30_000);
    expect(predictiveAnomaly({ service: 'cart', signal: 'memory', samples, capacity: LIMIT, capacityName: 'memory limit', now })!.id).toBe(anomaly.id);
  });

  it('sets the severity from the time left: under 30 min critical, under 2 h warning, else info', () => {
    const cases = [
      { secondsLeft: 20 * 60, severity: 'critical', when: 'in about 20 min' },
      { secondsLeft: 62 * 60, severity: 'warning', when: 'in about 1 h' },
      { secondsLeft: 4 * 3600, severity: 'info', when: 'in about 4 h' },
    ] as const;
    for (const { secondsLeft, severity, when } of cases) {
      const { samples, now } = climbTowards(LIMIT, secondsLeft, { minutes: 60 });
      const anomaly = predictiveAnomaly({ service: 'order-service', signal: 'memory', samples, capacity: LIMIT, capacityName: 'memory limit', now });
      expect(anomaly?.severity, when).toBe(severity);
      expect(anomaly?.summary).toBe(`order-service memory reaches its limit (512 MiB) ${when}`);
    }
    const { samples, now } = climbTowards(LIMIT, 20 * 60);
    const stricter = predictiveAnomaly({ service: 'cart', signal: 'memory', samples, capacity: LIMIT, capacityName: 'memory limit', now }, { criticalWithinSeconds: 10 * 60 });
    expect(stricter?.severity).toBe('warning');
  });

  it('words CPU against its request in cores', () => {
    const { samples, now } = climbTowards(0.5, 2 * 3600, { minutes: 90 });
    const anomaly = predictiveAnomaly({ service: 'order-service', signal: 'cpu', samples, capacity: 0.5, capacityName: 'CPU request', now });
    expect(anomaly?.summary).toBe('order-service CPU reaches its request (0.5 cores) in about 2 h');
    expect(anomaly?.severity).toBe('info');
  });

  it('raises nothing for a climb that reaches capacity only after the horizon', () => {
    const { samples, now } = climbTowards(LIMIT, 9 * 3600, { minutes: 120 });
    const input = { service: 'cart', signal: 'memory' as const, samples, capacity: LIMIT, capacityName: 'memory limit' as const, now };
    expect(predictiveAnomaly(input)).toBeUndefined();
    expect(predictiveAnomaly(input, { horizonSeconds: 12 * 3600 })?.summary).toBe('cart memory reaches its limit (512 MiB) in about 9 h');
  });

  it('raises nothing for flat, falling, already exhausted or unsure series', () => {
    const flat = Array.from({ length: 120 }, (_, minute) => ({ timestamp: START + minute * MINUTE, value: 300 * MEBIBYTE + (minute % 7) * MEBIBYTE }));
    const falling = flat.map((sample, index) => ({ ...sample, value: 450 * MEBIBYTE - index * MEBIBYTE }));
    const atLimit = flat.map((sample) => ({ ...sample, value: LIMIT }));
    const now = START + 119 * MINUTE;
    for (const samples of [flat, falling, atLimit]) {
      expect(predictiveAnomaly({ service: 'cart', signal: 'memory', samples, capacity: LIMIT, capacityName: 'memory limit', now })).toBeUndefined();
    }
    // A climb seen for 20 minutes through ±6 MiB of wobble, projected over 5 hours: about 75% sure.
    const { samples: short, now: shortNow } = climbTowards(LIMIT, 5 * 3600, { minutes: 20 });
    const wobbly = short.map((sample, index) => ({ ...sample, value: sample.value + (index % 2 === 0 ? 6 : -6) * MEBIBYTE }));
    const input = { service: 'cart', signal: 'memory' as const, samples: wobbly, capacity: LIMIT, capacityName: 'memory limit' as const, now: shortNow };
    expect(predictiveAnomaly(input)).toBeUndefined();
    const relaxed = predictiveAnomaly(input, { minimumConfidence: 0.5 });
    expect(relaxed?.score).toBeGreaterThan(0.5);
    expect(relaxed?.score).toBeLessThan(0.8);
    expect(relaxed?.severity).toBe('info');
  });

  it('picks the pod that runs out first', () => {
    const fast = climbTowards(LIMIT, 40 * 60);
    const slow = climbTowards(LIMIT, 3 * 3600);
    const flat = fast.samples.map((sample) => ({ ...sample, value: 200 * MEBIBYTE }));
    const pods: PodSeries[] = [
      { pod: 'cart-7d9f8-abcde', samples: slow.samples },
      { pod: 'cart-7d9f8-fghij', samples: fast.samples },
      { pod: 'cart-7d9f8-klmno', samples: flat },
    ];
    const anomaly = worstPodPredictiveAnomaly({ service: 'cart', signal: 'memory', capacity: LIMIT, capacityName: 'memory limit', now: fast.now, pods });
    expect(anomaly?.prediction.pod).toBe('cart-7d9f8-fghij');
    expect(anomaly?.summary).toBe('cart memory reaches its limit (512 MiB) in about 40 min (pod cart-7d9f8-fghij)');
    expect(anomaly?.id).toBe(`predictive:cart:memory:memory-limit:cart-7d9f8-fghij:${fast.now}`);
    expect(worstPodPredictiveAnomaly({ service: 'cart', signal: 'memory', capacity: LIMIT, capacityName: 'memory limit', now: fast.now, pods: [pods[2]!] })).toBeUndefined();
  });
});

describe('formatting', () => {
  it('rounds the time left as a person would say it', () => {
    const cases: Array<[number, string]> = [
      [20, 'in less than a minute'],
      [90, 'in about 2 min'],
      [9 * 60, 'in about 9 min'],
      [12 * 60, 'in about 10 min'],
      [34 * 60, 'in about 35 min'],
      [57 * 60, 'in about 55 min'],
      [58 * 60, 'in about 1 h'],
      [100 * 60, 'in about 1.5 h'],
      [2 * 3600 + 100, 'in about 2 h'],
      [13.4 * 3600, 'in about 13 h'],
      [60 * 3600, 'in about 3 days'],
    ];
    for (const [seconds, text] of cases) expect(formatTimeLeft(seconds), String(seconds)).toBe(text);
  });

  it('writes bytes as MiB or GiB and CPU as cores', () => {
    expect(formatQuantity(512 * MEBIBYTE, 'bytes')).toBe('512 MiB');
    expect(formatQuantity(768 * MEBIBYTE, 'bytes')).toBe('768 MiB');
    expect(formatQuantity(1536 * MEBIBYTE, 'bytes')).toBe('1.5 GiB');
    expect(formatQuantity(8192 * MEBIBYTE, 'bytes')).toBe('8 GiB');
    expect(formatQuantity(2.5 * MEBIBYTE, 'bytes')).toBe('2.5 MiB');
    expect(formatQuantity(0.5, 'cores')).toBe('0.5 cores');
    expect(formatQuantity(1, 'cores')).toBe('1 core');
    expect(formatQuantity(0.999, 'cores')).toBe('1 core');
    expect(formatQuantity(4, 'cores')).toBe('4 cores');
  });
});

/** Each pod's working set, one sample a minute from `from` to `to`, as a per-pod Prometheus series would be. */
function podMemorySeries(world: SimWorld, service: string, from: number, to: number): PodSeries[] {
  const byPod = new Map<string, Sample[]>();
  for (let time = from; time <= to; time += MINUTE) {
    const snapshot = world.snapshot(service, time);
    for (const pod of snapshot.pods) {
      const samples = byPod.get(pod.name) ?? [];
      samples.push({ timestamp: snapshot.time, value: pod.memoryBytes });
      byPod.set(pod.name, samples);
    }
  }
  return [...byPod].map(([pod, samples]) => ({ pod, samples }));
}

function upTo(pods: readonly PodSeries[], from: number, now: number): PodSeries[] {
  return pods.map(({ pod, samples }) => ({ pod, samples: samples.filter((sample) => sample.timestamp >= from && sample.timestamp <= now) }));
}

describe('predictive alerts on the simulated world', () => {
  const faultStart = Date.UTC(2026, 10, 24, 14, 0, 0);
  const window = 6 * 60 * MINUTE;

  it('warns of the cart memory leak well before the first OOM kill', () => {
    const world = new SimWorld({ clock: new ManualClock(faultStart + 3 * 60 * MINUTE), seed: 7, scenario: 'memory-leak', faultStart });
    const limit = world.profile('cart').memoryLimitBytes;
    let firstKill: number | undefined;
    for (let time = faultStart; firstKill === undefined && time < faultStart + 3 * 60 * MINUTE; time += MINUTE) {
      const snapshot = world.snapshot('cart', time);
      if (snapshot.restartsInMinute > 0 || snapshot.pods.some((pod) => pod.restarts > 0)) firstKill = snapshot.time;
    }
    expect(firstKill).toBeDefined();

    const pods = podMemorySeries(world, 'cart', faultStart - window, firstKill!);
    let firstWarning: { time: number; secondsToExhaustion: number; summary: string; severity: string } | undefined;
    for (let now = faultStart - 60 * MINUTE; firstWarning === undefined && now <= firstKill!; now += MINUTE) {
      const anomaly = worstPodPredictiveAnomaly({ service: 'cart', signal: 'memory', capacity: limit, capacityName: 'memory limit', now, pods: upTo(pods, now - window, now) });
      if (anomaly) firstWarning = { time: now, secondsToExhaustion: anomaly.prediction.secondsToExhaustion, summary: anomaly.summary, severity: anomaly.severity };
    }
    expect(firstWarning).toBeDefined();
    const minutesBeforeKill = (firstKill! - firstWarning!.time) / MINUTE;
    // The leak starts with the deploy at faultStart. With seed 7 the first pod is OOM-killed 40
    // minutes in; the warning comes 11 minutes in (10 minutes of climb is the minimum span), 29
    // minutes ahead, and its time left agrees with when the kill came.
    expect(firstWarning!.time).toBeGreaterThan(faultStart);
    expect(minutesBeforeKill).toBeGreaterThanOrEqual(25);
    expect(Math.abs(firstWarning!.secondsToExhaustion / 60 - minutesBeforeKill)).toBeLessThan(3);
    expect(firstWarning!.severity).toBe('critical');
    expect(firstWarning!.summary).toMatch(/^cart memory reaches its limit \(512 MiB\) in about (25|30) min \(pod cart-/);
  });

  it('never warns about memory on a fault-free simulated day', () => {
    const dayStart = Date.UTC(2026, 10, 24, 0, 0, 0);
    const world = new SimWorld({ clock: new ManualClock(dayStart + 24 * 60 * MINUTE), seed: 7 });
    const raised: string[] = [];
    let evaluations = 0;
    for (const service of world.services()) {
      const profile = world.profile(service);
      const pods = podMemorySeries(world, service, dayStart - window, dayStart + 24 * 60 * MINUTE);
      const totals = new Map<number, number>();
      for (const { samples } of pods) for (const sample of samples) totals.set(sample.timestamp, (totals.get(sample.timestamp) ?? 0) + sample.value);
      const total = [...totals].map(([timestamp, value]) => ({ timestamp, value }));
      for (let now = dayStart; now <= dayStart + 24 * 60 * MINUTE; now += 5 * MINUTE) {
        const shared = { service, signal: 'memory' as const, capacityName: 'memory limit' as const, now };
        const perPod = worstPodPredictiveAnomaly({ ...shared, capacity: profile.memoryLimitBytes, pods: upTo(pods, now - window, now) });
        const summed = predictiveAnomaly({ ...shared, capacity: profile.replicas * profile.memoryLimitBytes, samples: total.filter((sample) => sample.timestamp > now - window && sample.timestamp <= now) });
        for (const anomaly of [perPod, summed]) if (anomaly) raised.push(`${new Date(now).toISOString()} ${anomaly.summary}`);
        evaluations += 1;
      }
    }
    expect(evaluations).toBe(10 * 289);
    expect(raised).toEqual([]);
  });
});
