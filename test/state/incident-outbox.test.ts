import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentChange } from '../../src/alerts/correlate.js';
import { IncidentOutbox } from '../../src/state/incident-outbox.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
const outbox = () => new IncidentOutbox(redis, `test:outbox:${randomUUID()}:`);
const change = (kind: IncidentChange['kind'], incidentId = 'INC-1'): IncidentChange => ({ kind, incidentId, fingerprint: `f-${kind}`, reason: kind });
const NOW = 1_800_000_000_000;

afterAll(() => {
  redis.disconnect();
});

describe('incident outbox', () => {
  it('coalesces a burst of changes into one due incident, keeping only the notes the thread should get, in order', async () => {
    const box = outbox();
    await box.enqueue([change('opened'), change('duplicate'), change('joined'), change('updated'), change('ignored'), change('escalated'), change('joined', 'INC-2')], NOW);
    expect((await box.due(NOW, 10)).map((due) => due.incidentId).sort()).toEqual(['INC-1', 'INC-2']);
    expect((await box.notes('INC-1')).map((note) => note.kind)).toEqual(['joined', 'escalated']);
  });

  it('keeps an incident due when it changed while it was being synced', async () => {
    const box = outbox();
    await box.enqueue([change('opened')], NOW);
    const [read] = await box.due(NOW, 10);
    await box.enqueue([change('joined')], NOW);
    await box.complete(read!);
    expect(await box.due(NOW + 1, 10)).toHaveLength(1);
    const [again] = await box.due(NOW + 1, 10);
    await box.complete(again!);
    expect(await box.size()).toBe(0);
  });

  it('puts a failed incident off until its retry time, unless a new change makes it due again', async () => {
    const box = outbox();
    await box.enqueue([change('opened')], NOW);
    const [read] = await box.due(NOW, 10);
    await box.retryAt(read!, NOW + 30_000);
    expect(await box.due(NOW + 29_000, 10)).toHaveLength(0);
    expect(await box.due(NOW + 30_000, 10)).toHaveLength(1);

    // A change during the backoff does not cut it short: Slack asked us to wait.
    await box.touch('INC-1', NOW + 1_000);
    expect(await box.due(NOW + 29_000, 10)).toHaveLength(0);
  });

  it('drops notes from the oldest', async () => {
    const box = outbox();
    await box.enqueue([change('joined'), change('escalated'), change('resolved')], NOW);
    await box.dropNotes('INC-1', 2);
    expect((await box.notes('INC-1')).map((note) => note.kind)).toEqual(['resolved']);
  });
});
