import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { callersOf } from '../../../src/sources/sim/estate.js';
import { lineCounts } from '../../../src/sources/sim/log-generator.js';
import { SCENARIO_NAMES } from '../../../src/scenario-names.js';
import { SCENARIOS } from '../../../src/sources/sim/scenarios.js';
import { SimWorld, type ServiceSnapshot } from '../../../src/sources/sim/world.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 14, 0, 0);
const HORIZON_MINUTES = 90;

/**
 * Each scenario is played next to the same world without it (same seed, so the same noise):
 * whatever differs is the fault and its propagation, which is what an SRE would see change.
 */
function twins(scenario: string): { faulty: SimWorld; healthy: SimWorld } {
  const clock = new ManualClock(FAULT_START + HORIZON_MINUTES * MINUTE);
  return {
    faulty: new SimWorld({ clock, seed: 7, scenario, faultStart: FAULT_START }),
    healthy: new SimWorld({ clock, seed: 7 }),
  };
}

function signalsDiffer(faulty: ServiceSnapshot, healthy: ServiceSnapshot): boolean {
  const relative = (left: number, right: number) => Math.abs(left - right) / Math.max(Math.abs(right), 1e-9);
  return (
    relative(faulty.cpuCores, healthy.cpuCores) > 0.1 ||
    relative(faulty.memoryBytes, healthy.memoryBytes) > 0.1 ||
    relative(faulty.requestRate, healthy.requestRate) > 0.1 ||
    relative(faulty.latencyP95Seconds, healthy.latencyP95Seconds) > 0.1 ||
    Math.abs(faulty.errorRate - healthy.errorRate) > 0.01 ||
    faulty.restartsInMinute !== healthy.restartsInMinute
  );
}

function logsDiffer(faulty: SimWorld, healthy: SimWorld, service: string, minute: number): boolean {
  const trouble = (world: SimWorld) => {
    const counts = lineCounts(world, service, minute);
    return counts.warn + counts.error + counts.fault;
  };
  const before = trouble(healthy);
  return trouble(faulty) - before >= Math.max(3, 0.5 * before);
}

/** The first minute (relative to the fault's start) at which `changed` holds, from 10 minutes before. */
function firstChange(changed: (time: number) => boolean): number | undefined {
  for (let minute = -10; minute <= HORIZON_MINUTES; minute += 1) {
    if (changed(FAULT_START + minute * MINUTE)) return minute;
  }
  return undefined;
}

it('plays one scenario for each name AIOPS_SCENARIO accepts, in the same order', () => {
  expect(SCENARIOS.map((scenario) => scenario.name)).toEqual([...SCENARIO_NAMES]);
});

describe.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('scenario %s', (_, scenario) => {
  const { faulty, healthy } = twins(scenario.name);
  const signalChange = (service: string) => firstChange((time) => signalsDiffer(faulty.snapshot(service, time), healthy.snapshot(service, time)));
  const logChange = (service: string) => firstChange((time) => logsDiffer(faulty, healthy, service, time - MINUTE));
  const callers = callersOf(scenario.rootCause);

  it('has callers to propagate to', () => {
    expect(callers.length).toBeGreaterThan(0);
  });

  it('changes the root cause\'s signals first, as soon as it starts, and its callers\' later', () => {
    const root = signalChange(scenario.rootCause);
    expect(root).toBeDefined();
    expect(root!).toBeGreaterThanOrEqual(0);
    expect(root!).toBeLessThanOrEqual(3);
    for (const caller of callers) {
      const change = signalChange(caller);
      expect(change, `${caller} never changed`).toBeDefined();
      expect(change!, `${caller} changed before ${scenario.rootCause}`).toBeGreaterThan(root!);
    }
  });

  it('changes the root cause\'s logs first and its callers\' later', () => {
    const root = logChange(scenario.rootCause);
    expect(root).toBeDefined();
    expect(root!).toBeGreaterThanOrEqual(0);
    for (const caller of callers) {
      const change = logChange(caller);
      expect(change, `${caller}'s logs never changed`).toBeDefined();
      expect(change!, `${caller}'s logs changed before ${scenario.rootCause}'s`).toBeGreaterThan(root!);
    }
  });

  it('leaves every service untouched before the fault starts', () => {
    for (const service of faulty.services()) {
      for (let minute = -30; minute < 0; minute += 5) {
        const time = FAULT_START + minute * MINUTE;
        expect(signalsDiffer(faulty.snapshot(service, time), healthy.snapshot(service, time))).toBe(false);
      }
    }
  });
});

describe('the simulated world', () => {
  it('is the same world for the same seed and a different one for another seed', () => {
    const clock = new ManualClock(FAULT_START);
    const first = new SimWorld({ clock, seed: 1 }).snapshot('frontend', FAULT_START);
    const again = new SimWorld({ clock, seed: 1 }).snapshot('frontend', FAULT_START);
    const other = new SimWorld({ clock, seed: 2 }).snapshot('frontend', FAULT_START);
    expect(again).toEqual(first);
    expect(other.requestRate).not.toBe(first.requestRate);
  });

  it('has daily seasonality: evening traffic well above morning traffic', () => {
    const world = new SimWorld({ clock: new ManualClock(FAULT_START), seed: 3 });
    const morning = world.snapshot('frontend', Date.UTC(2026, 10, 23, 8, 0, 0)).requestRate;
    const evening = world.snapshot('frontend', Date.UTC(2026, 10, 23, 20, 0, 0)).requestRate;
    expect(evening / morning).toBeGreaterThan(3);
  });

  it('propagates traffic down the call graph', () => {
    const world = new SimWorld({ clock: new ManualClock(FAULT_START), seed: 3 });
    const frontend = world.snapshot('frontend', FAULT_START);
    const checkout = world.snapshot('checkout', FAULT_START);
    const orders = world.snapshot('order-service', FAULT_START);
    // frontend sends 0.08 checkouts per request; checkout calls order-service once each.
    expect(checkout.requestRate).toBeCloseTo(frontend.requestRate * 0.08, 6);
    expect(orders.requestRate).toBeCloseTo(checkout.requestRate, 6);
  });

  it('refuses an unknown scenario with the names of the known ones', () => {
    expect(() => new SimWorld({ clock: new ManualClock(FAULT_START), scenario: 'meteor' })).toThrow(
      'scenario: unknown scenario "meteor"; expected one of db-pool-exhaustion, bad-deploy, memory-leak, traffic-surge, crash-loop, slow-dependency',
    );
  });
});
