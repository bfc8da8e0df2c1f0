import { describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/agent/chat-model.js';
import { writeResolutionNarrative } from '../../src/incidents/write-resolution-narrative.js';
import type { Incident } from '../../src/alerts/correlate.js';
import type { RecentChange } from '../../src/sources/recent-changes.js';
import { resolutionSummary } from '../../src/incidents/resolution-summary.js';
import { resolutionMessage } from '../../src/slack/blocks/resolution-message.js';
import { startFakeOpenAi } from '../fakes/openai-compatible.js';

const START = Date.UTC(2026, 10, 24, 15, 0);
const MINUTE = 60_000;

function incident(overrides: Partial<Incident> = {}): Incident {
  const alert = (fingerprint: string, service: string, startsAt: number, summary: string, endsAt?: number) => ({
    fingerprint, source: 'detector' as const, name: 'anomaly', service, groupKey: service, status: endsAt ? ('resolved' as const) : ('firing' as const), severity: 'critical' as const,
    startsAt, ...(endsAt ? { endsAt } : {}), firstSeen: startsAt, lastSeen: startsAt, summary, transitions: [startsAt],
  });
  return {
    id: 'INC-4', status: 'resolved', flapping: false, services: ['checkout', 'payment'], origin: 'payment', severity: 'critical',
    alerts: {
      a: alert('a', 'payment', START, 'payment: error_rate 35% (usually 0.1%)', START + 20 * MINUTE),
      b: alert('b', 'checkout', START + 2 * MINUTE, 'checkout: error_rate 20% (usually 0.4%)', START + 21 * MINUTE),
    },
    firstSeen: START, lastSeen: START + 22 * MINUTE, resolvedAt: START + 22 * MINUTE, ...overrides,
  };
}

const rollback: RecentChange = { service: 'payment', kind: 'rollback', description: 'payment 2.5.0 → 2.4.0', at: START + 15 * MINUTE };
const unrelated: RecentChange = { service: 'catalogue', kind: 'deploy', description: 'catalogue 1.1 → 1.2', at: START + 10 * MINUTE };
const before: RecentChange = { service: 'payment', kind: 'deploy', description: 'payment 2.4.0 → 2.5.0', at: START - 2 * MINUTE };

describe('resolutionSummary', () => {
  it('tells the duration, the root cause with its alert, and the change made while the incident was open with what followed', () => {
    const summary = resolutionSummary(incident(), [rollback, unrelated, before]);
    expect(summary.durationMilliseconds).toBe(22 * MINUTE);
    expect(summary.rootCause).toEqual({ service: 'payment', evidence: 'payment: error_rate 35% (usually 0.1%)' });
    expect(summary.actions).toEqual([{ at: rollback.at, text: 'payment 2.5.0 → 2.4.0', effect: 'resolved 7 min later' }]);
    expect(summary.timeline.map((entry) => entry.text)).toEqual([
      'payment: error_rate 35% (usually 0.1%) (critical)',
      'checkout: error_rate 20% (usually 0.4%) (critical)',
      'rollback: payment 2.5.0 → 2.4.0',
      'cleared: payment: error_rate 35% (usually 0.1%)',
      'cleared: checkout: error_rate 20% (usually 0.4%)',
      'resolved: every alert cleared',
    ]);
  });

  it('says when nothing was done and no root cause is known', () => {
    const message = resolutionMessage(resolutionSummary(incident({ origin: undefined, resolvedBy: 'U0DAVE' }), []));
    const shown = JSON.stringify(message.blocks);
    expect(message.text).toMatch(/^✅ Resolved after 22 min by <@U0DAVE>/);
    expect(shown).toContain('*Root cause:* not established');
    expect(shown).toContain('no change to the affected services was recorded');
    expect(shown).toContain('no LLM configured or it did not answer');
  });
});

describe('writeResolutionNarrative', () => {
  it('asks the LLM for a few sentences from the redacted record, framed as data, and labels the summary as written by it', async () => {
    const fake = await startFakeOpenAi({ script: [{ text: 'Payment 2.5.0 failed a third of charges for 22 minutes.\n\nRolling back to 2.4.0 ended it 7 minutes later.' }] });
    try {
      const summary = resolutionSummary(incident(), [{ ...rollback, description: 'payment rolled back; DATABASE_URL=postgres://pay:s3cret@db:5432/pay' }]);
      summary.narrative = await writeResolutionNarrative(createChatModel({ baseUrl: fake.baseUrl, model: 'fake' }, { maxRetries: 0 }), summary);
      const sent = JSON.stringify(fake.lastRequest()!.messages);
      expect(sent).toContain('<<<DATA from incident record');
      expect(sent).not.toContain('s3cret');
      expect(summary.narrative).toBe('Payment 2.5.0 failed a third of charges for 22 minutes. Rolling back to 2.4.0 ended it 7 minutes later.');
      const message = resolutionMessage(summary);
      expect(JSON.stringify(message.blocks)).toContain('Summary written by the LLM from the incident record');
    } finally {
      await fake.close();
    }
  });
});
