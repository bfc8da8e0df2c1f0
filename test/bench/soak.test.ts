import { describe, expect, it } from 'vitest';
import { notificationBody, soakFaults } from '../../bench/soak-faults.js';
import { growth } from '../../bench/soak-series.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';

const MINUTE = 60_000;
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const services = Object.keys(catalogue.services);

describe('the soak\'s faults', () => {
  const faults = soakFaults({ services, firstAt: 30_000, every: 3 * MINUTE, firing: MINUTE, lastResolveBy: 30 * MINUTE - 45_000 });

  it('fit a fault every 3 minutes into 30, catalogued and uncatalogued in turn, never overlapping', () => {
    expect(faults).toHaveLength(10);
    expect(faults.map((fault) => fault.catalogued)).toEqual([true, false, true, false, true, false, true, false, true, false]);
    for (const [index, fault] of faults.entries()) {
      expect(fault.resolvesAt - fault.firesAt).toBe(MINUTE);
      if (index > 0) expect(fault.firesAt).toBeGreaterThan(faults[index - 1]!.resolvesAt);
    }
    const catalogued = faults.filter((fault) => fault.catalogued).map((fault) => fault.service);
    expect(new Set(catalogued).size).toBe(catalogued.length);
  });

  it('give every alert its own fingerprint', () => {
    const fingerprints = faults.flatMap((fault) => fault.alerts.map((alert) => alert.fingerprint));
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('are webhook bodies the bot takes: a catalogued fault names its service, an uncatalogued one none', () => {
    const startsAt = Date.parse('2026-12-06T10:00:00Z');
    for (const fault of faults) {
      const firing = parseAlertmanagerWebhook(JSON.parse(notificationBody(fault, 'firing', startsAt)), catalogue, startsAt + 1_000);
      expect(firing.map((alert) => alert.fingerprint)).toEqual(fault.alerts.map((alert) => alert.fingerprint));
      expect(firing.every((alert) => alert.status === 'firing' && alert.service === (fault.catalogued ? fault.service : undefined))).toBe(true);
      const resolved = parseAlertmanagerWebhook(JSON.parse(notificationBody(fault, 'resolved', startsAt, startsAt + 3_600_000)), catalogue, startsAt + 3_601_000);
      expect(resolved.every((alert) => alert.status === 'resolved' && alert.endsAt === startsAt + 3_600_000)).toBe(true);
      expect(resolved[0]!.group?.resolvedMembers).toEqual(fault.alerts.map((alert) => alert.fingerprint));
    }
  });
});

describe('second-half growth', () => {
  const points = (value: (minute: number) => number) => Array.from({ length: 61 }, (_, index) => [index * 30_000, value(index / 2)] as [number, number]);

  it('is about nothing for a flat saw-tooth', () => {
    const result = growth(points((minute) => 100 + (Math.round(minute * 2) % 2 === 0 ? 5 : -5)), 15 * MINUTE);
    expect(Math.abs(result.growthPercent)).toBeLessThan(1);
    expect(result.maximum).toBe(105);
  });

  it('is the line\'s rise over its value at the half for a steady slope', () => {
    // 100 at minute 15, 1 a minute: 115 at minute 30, so +15%.
    const result = growth(points((minute) => 85 + minute), 15 * MINUTE);
    expect(result.growthPercent).toBeCloseTo(15, 6);
    expect(result.slopePerHour).toBeCloseTo(60, 6);
    expect(result.atHalf).toBe(100);
  });
});
