import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { capacityQuestion } from '../../src/investigation/capacity-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
// 2026-12-04 15:20 UTC: 9 whole hours (rounded up) are left of the day.
const NOW = Date.UTC(2026, 11, 4, 15, 20);

describe('capacityQuestion', () => {
  it('reads the service, the signal and the horizon from the words an SRE uses', () => {
    expect(capacityQuestion(catalogue, 'how many replicas will order-service need tomorrow?', [], NOW)).toEqual({ services: ['order-service'], signal: 'cpu', horizonHours: 9 + 24 });
    expect(capacityQuestion(catalogue, 'Will payment run out of memory this week?', [], NOW)).toEqual({ services: ['payment'], signal: 'memory', horizonHours: 168 });
    expect(capacityQuestion(catalogue, 'forecast checkout traffic for the next 3 days', [], NOW)).toEqual({ services: ['checkout'], signal: 'request_rate', horizonHours: 72 });
    expect(capacityQuestion(catalogue, 'forecast order-service 24h', [], NOW)).toEqual({ services: ['order-service'], signal: 'cpu', horizonHours: 24 });
    expect(capacityQuestion(catalogue, 'how much traffic will the orders service get in 6 hours', [], NOW)).toEqual({ services: ['order-service'], signal: 'request_rate', horizonHours: 6 });
    expect(capacityQuestion(catalogue, "what's the capacity outlook for cart and payment?", [], NOW)).toEqual({ services: ['payment', 'cart'], signal: 'cpu', horizonHours: 24 });
    expect(capacityQuestion(catalogue, 'will checkout latency rise tonight?', [], NOW)).toEqual({ services: ['checkout'], signal: 'latency_p95', horizonHours: 9 });
    expect(capacityQuestion(catalogue, 'can we scale down the db next week?', [], NOW)).toEqual({ services: ['database'], signal: 'cpu', horizonHours: 168 });
    expect(capacityQuestion(catalogue, 'how many replicas does order-service need?', [], NOW)).toEqual({ services: ['order-service'], signal: 'cpu', horizonHours: 24 });
    expect(capacityQuestion(catalogue, 'does cart have enough memory?', [], NOW)).toEqual({ services: ['cart'], signal: 'memory', horizonHours: 24 });
  });

  it('keeps the horizon within the week a forecast reaches', () => {
    expect(capacityQuestion(catalogue, 'forecast payment for the next 30 days', [], NOW)?.horizonHours).toBe(168);
  });

  it('takes the thread\'s service when the question names none, and none when the thread has none', () => {
    expect(capacityQuestion(catalogue, 'how many pods will it need tomorrow?', ['payment'], NOW)?.services).toEqual(['payment']);
    expect(capacityQuestion(catalogue, 'how many pods will it need tomorrow?', [], NOW)?.services).toEqual([]);
  });

  it('leaves questions about trouble, owners, fixes and the present to the others', () => {
    for (const question of [
      'why is order-service slow?',
      'why will checkout run out of memory?',
      'who owns capacity planning for payment?',
      'will restarting payment fix it?',
      'will scaling checkout help?',
      'how many replicas does checkout have?',
      'what changed on payment in the last hour?',
      'is payment down?',
    ]) {
      expect(capacityQuestion(catalogue, question, [], NOW), question).toBeUndefined();
    }
  });
});
