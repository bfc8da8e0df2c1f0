import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/alerts/change-event.js';
import type { RecentChange } from '../../src/sources/recent-changes.js';
import { withChangeEvents } from '../../src/sources/with-change-events.js';

const AT = Date.UTC(2026, 11, 1, 10, 0, 0);

const rollout: RecentChange = { service: 'payment', kind: 'deploy', description: 'payment 2.4.0 → 2.5.0 (new card-token flow)', at: AT, version: '2.5.0' };
const scaling: RecentChange = { service: 'cart', kind: 'scale', description: 'cart: Scaled up replica set cart-7d9f8 to 4', at: AT - 30 * 60_000 };

function event(overrides: Partial<ChangeEvent>): ChangeEvent {
  return { id: 'x', service: 'payment', kind: 'deploy', description: 'release 2.5.0', at: AT + 20_000, origin: 'github', ...overrides };
}

describe('withChangeEvents', () => {
  it('leaves out a pipeline\'s report of a rollout the cluster shows: same service and version within a minute', () => {
    for (const version of ['2.5.0', 'v2.5.0', 'V2.5.0']) expect(withChangeEvents([rollout], [event({ version })])).toEqual([rollout]);
    const withSha: RecentChange = { ...rollout, version: '2.5.0-3f9a12c0d4e5' };
    expect(withChangeEvents([withSha], [event({ version: '3f9a12c0d4e5b6a7980112233445566778899aab'.slice(0, 12) })])).toEqual([withSha]);
  });

  it('keeps an event of another version, another service, more than a minute apart, or of a kind the cluster never shows, newest first', () => {
    const kept = [
      event({ id: 'other-version', version: '2.6.0', at: AT + 10_000 }),
      event({ id: 'later', version: '2.5.0', at: AT + 90_000 }),
      event({ id: 'config', kind: 'config', version: '2.5.0', description: 'pool size 20 → 5', author: 'carol', at: AT + 5_000 }),
      event({ id: 'other-service', service: 'cart', version: '2.5.0', at: AT + 1_000 }),
      event({ id: 'unversioned', at: AT + 2_000 }),
    ];
    const merged = withChangeEvents([rollout, scaling], kept);
    expect(merged.map((change) => [change.service, change.kind, change.at])).toEqual([
      ['payment', 'deploy', AT + 90_000],
      ['payment', 'deploy', AT + 10_000],
      ['payment', 'config', AT + 5_000],
      ['payment', 'deploy', AT + 2_000],
      ['cart', 'deploy', AT + 1_000],
      ['payment', 'deploy', AT],
      ['cart', 'scale', AT - 30 * 60_000],
    ]);
    expect(merged[2]).toEqual({ service: 'payment', kind: 'config', description: 'payment 2.5.0: pool size 20 → 5 (by carol)', at: AT + 5_000, version: '2.5.0', origin: 'github' });
    expect(merged[3]!.description).toBe('payment: release 2.5.0');
  });

  it('does not take a short version for an abbreviation, nor an event for another event', () => {
    expect(withChangeEvents([{ ...rollout, version: '12' }], [event({ version: '1' })])).toHaveLength(2);
    const earlier = withChangeEvents([], [event({ id: 'a', version: '2.5.0' })]);
    expect(withChangeEvents(earlier, [event({ id: 'b', version: '2.5.0' })])).toHaveLength(2);
  });
});
