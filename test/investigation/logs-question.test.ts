import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { logsQuestion } from '../../src/investigation/logs-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

describe('logsQuestion', () => {
  it('reads the service and the window', () => {
    expect(logsQuestion(catalogue, 'what is payment logging?', [])).toEqual({ services: ['payment'], minutes: 15 });
    expect(logsQuestion(catalogue, "show me checkout's logs for the last hour", [])).toEqual({ services: ['checkout'], minutes: 60 });
    expect(logsQuestion(catalogue, 'any new errors in the orders logs in the past 2h?', [])).toEqual({ services: ['order-service'], minutes: 120 });
    expect(logsQuestion(catalogue, 'top log templates of cart and the db over 30 minutes', [])).toEqual({ services: ['cart', 'database'], minutes: 30 });
    expect(logsQuestion(catalogue, 'payment logs last 3 days', [])?.minutes).toBe(24 * 60);
  });

  it("takes the thread's service when the question names none, and none when the thread has none", () => {
    expect(logsQuestion(catalogue, 'what is it logging?', ['cart'])).toEqual({ services: ['cart'], minutes: 15 });
    expect(logsQuestion(catalogue, 'what is it logging?', [])?.services).toEqual([]);
  });

  it('leaves questions about causes to the investigation, which reads logs as evidence', () => {
    for (const question of ['why is payment logging errors?', 'what caused the errors in the checkout logs?', 'why is checkout slow?', 'who owns payment?']) {
      expect(logsQuestion(catalogue, question, []), question).toBeUndefined();
    }
  });
});
