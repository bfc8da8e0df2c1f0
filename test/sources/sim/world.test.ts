import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { SimWorld, TICK_MILLISECONDS, type ServiceSnapshot } from '../../../src/sources/sim/world.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const HOURS = 36;

/** What a reader sees of a snapshot: its numbers and its pods by name. */
function visible(snapshot: ServiceSnapshot): unknown {
  const { requestRate, errorRate, latencyP95Seconds, cpuCores, memoryBytes, readyReplicas, upstream } = snapshot;
  return { requestRate, errorRate, latencyP95Seconds, cpuCores, memoryBytes, readyReplicas, upstream, pods: snapshot.pods.map((pod) => pod.name) };
}

describe('simulated world', () => {
  it('shows the same state however far and in whatever order it is read, past what it keeps', () => {
    const world = new SimWorld({ clock: new ManualClock(NOW), seed: 9, scenario: 'memory-leak', faultStart: NOW - HOURS * 3_600_000 });
    const ticks = Array.from({ length: (HOURS * 3_600_000) / TICK_MILLISECONDS }, (_, index) => NOW - index * TICK_MILLISECONDS);
    const services = world.services();
    // 36 hours of ten services are 21,600 snapshots, more than the cache keeps, so it drops some
    // while read, and interleaving services mixes whose are dropped.
    const backwards = ticks.flatMap((tick) => services.map((service) => visible(world.snapshot(service, tick))));
    const twin = new SimWorld({ clock: new ManualClock(NOW), seed: 9, scenario: 'memory-leak', faultStart: NOW - HOURS * 3_600_000 });
    const forwards = new Map(services.map((service) => [service, [...ticks].reverse().map((tick) => visible(twin.snapshot(service, tick)))]));
    const regrouped = ticks.flatMap((_, index) => services.map((service) => forwards.get(service)![ticks.length - 1 - index]));
    expect(backwards).toEqual(regrouped);
    expect(new Set(backwards.map((state) => JSON.stringify(state))).size).toBeGreaterThan(ticks.length);
  });

  it('names the services it has when asked about another', () => {
    const world = new SimWorld({ clock: new ManualClock(NOW), seed: 9 });
    expect(() => world.snapshot('billing', NOW)).toThrow(/service billing .*not found/);
  });
});
