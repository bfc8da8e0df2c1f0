import { describe, expect, it } from 'vitest';
import type { Incident, IncidentAlert } from '../../src/alerts/incident.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { duePeriod, periodDigest } from '../../src/investigation/period-digest.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { digestMessage } from '../../src/slack/blocks/digest-message.js';

const HOUR = 3_600_000;
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

function alert(name: string, transitions: number): IncidentAlert {
  return { fingerprint: `${name}-${transitions}`, source: 'alertmanager', name, groupKey: name, status: 'firing', severity: 'warning', startsAt: 0, firstSeen: 0, lastSeen: 0, summary: name, transitions: Array.from({ length: transitions }, (_, index) => index) } as IncidentAlert;
}

function incident(id: string, firstSeen: number, resolvedAt: number | undefined, alerts: IncidentAlert[]): Incident {
  return { id, status: resolvedAt === undefined ? 'open' : 'resolved', flapping: false, services: ['cart'], severity: 'critical', alerts: Object.fromEntries(alerts.map((entry) => [entry.fingerprint, entry])), firstSeen, lastSeen: firstSeen, ...(resolvedAt === undefined ? {} : { resolvedAt }) };
}

describe('duePeriod', () => {
  it('is the day that ended at the digest hour, today once it has passed, yesterday before', () => {
    expect(duePeriod(Date.UTC(2026, 11, 5, 9, 30), 'day', 9)).toMatchObject({ start: Date.UTC(2026, 11, 4, 9), end: Date.UTC(2026, 11, 5, 9), key: '2026-12-04' });
    expect(duePeriod(Date.UTC(2026, 11, 5, 8, 59), 'day', 9)).toMatchObject({ end: Date.UTC(2026, 11, 4, 9), key: '2026-12-03' });
  });

  it('ends a week on Monday at the digest hour', () => {
    // 2026-12-05 is a Saturday; the last Monday is 2026-11-30.
    expect(duePeriod(Date.UTC(2026, 11, 5, 12), 'week', 9)).toMatchObject({ start: Date.UTC(2026, 10, 23, 9), end: Date.UTC(2026, 10, 30, 9), key: '2026-11-23' });
  });
});

describe('periodDigest', () => {
  it('counts the incidents active in the period with their durations and the noisiest alerts, and fits a message however many there are', async () => {
    const end = Date.UTC(2026, 10, 25, 9);
    const period = { every: 'day' as const, start: end - 24 * HOUR, end, key: '2026-11-24' };
    const incidents = [
      incident('INC-1', end - 10 * HOUR, end - 8 * HOUR, [alert('HighLatency', 6), alert('HighLatency', 2)]),
      incident('INC-2', end - 3 * HOUR, undefined, [alert('PodCrashLooping', 0)]),
      incident('INC-3', end - 50 * HOUR, end - 40 * HOUR, [alert('Old', 0)]),
      ...Array.from({ length: 80 }, (_, index) => incident(`INC-${100 + index}`, end - 5 * HOUR, end - 4 * HOUR, [alert(`Noise${index}`, 1)])),
    ];
    const clock = new ManualClock(end);
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    const digest = await periodDigest(
      { catalogue, metrics: sources.metrics, cluster: sources.cluster, now: () => clock.now(), incidents: { all: async () => incidents }, audit: { recent: async () => [] }, forecasts: { many: async () => [] } },
      period,
      ['cpu'],
    );
    expect(digest.incidents).toHaveLength(82);
    expect(digest.incidents.map((entry) => entry.id).slice(0, 2)).toEqual(['INC-2', 'INC-1']);
    expect(digest.incidents[1]).toMatchObject({ durationMilliseconds: 2 * HOUR, resolvedAt: end - 8 * HOUR });
    expect(digest.incidents.find((entry) => entry.id === 'INC-2')).toMatchObject({ durationMilliseconds: 3 * HOUR });
    expect(digest.incidents.find((entry) => entry.id === 'INC-2')!.resolvedAt).toBeUndefined();
    expect(digest.noisiest[0]).toEqual({ name: 'HighLatency', alerts: 2, changes: 8, incidents: 1 });
    expect(digest.meanTimeToResolve).toBeCloseTo((2 * HOUR + 80 * HOUR) / 81);
    const message = digestMessage(digest, end);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain('… and 72 more');
    for (const block of message.blocks) if (block.type === 'section') expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  });

  it('adds the whole period from the PostgreSQL history when there is one, asking it for exactly the period', async () => {
    const end = Date.UTC(2026, 10, 30, 9);
    const period = { every: 'week' as const, start: end - 7 * 24 * HOUR, end, key: '2026-11-23' };
    const clock = new ManualClock(end);
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    const asked: Array<{ since: number; until?: number }> = [];
    const history = {
      summary: async (since: number, options: { until?: number } = {}) => {
        asked.push({ since, until: options.until });
        return { since, incidents: 9, resolved: 8, meanTimeToResolve: 42 * 60_000, byService: [{ service: 'cart', incidents: 6, meanTimeToResolve: 30 * 60_000 }], actions: [{ kind: 'rollback', service: 'cart', runs: 2, helped: 2 }], latest: [] };
      },
    };
    const dependencies = { catalogue, metrics: sources.metrics, cluster: sources.cluster, now: () => clock.now(), incidents: { all: async () => [] }, audit: { recent: async () => [] }, forecasts: { many: async () => [] } };
    const digest = await periodDigest({ ...dependencies, history }, period, ['cpu']);
    expect(asked).toEqual([{ since: period.start, until: period.end }]);
    const text = JSON.stringify(digestMessage(digest, end).blocks);
    expect(text).toContain('From the history');
    expect(text).toContain('9 incidents first seen in the period, 8 resolved, mean time to resolve 42 min');
    expect(text).toContain('rollback on cart: 2 run, 2 helped');
    // A history that cannot be read leaves its part out; the digest still goes.
    const unreadable = await periodDigest({ ...dependencies, history: { summary: async () => Promise.reject(new Error('connection refused')) } }, period, ['cpu']);
    expect(unreadable.history).toBeUndefined();
    expect(JSON.stringify(digestMessage(unreadable, end).blocks)).not.toContain('From the history');
  });
});
