import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { historyQuestion } from '../../src/investigation/history-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

describe('historyQuestion', () => {
  it('reads the service and the days back', () => {
    expect(historyQuestion(catalogue, 'how many incidents did we have last week?', [])).toEqual({ days: 7 });
    expect(historyQuestion(catalogue, 'what happened last night?', [])).toEqual({ days: 2 });
    expect(historyQuestion(catalogue, 'how often did payment break this month?', [])).toEqual({ service: 'payment', days: 30 });
    expect(historyQuestion(catalogue, 'incident history of the db over the past 3 months', [])).toEqual({ service: 'database', days: 90 });
    expect(historyQuestion(catalogue, "what's the MTTR of cart?", [])).toEqual({ service: 'cart', days: 30 });
    expect(historyQuestion(catalogue, 'how many outages in the last 2 years?', [])).toEqual({ days: 365 });
  });

  it('leaves causes, what is open now and the last hours to the others', () => {
    for (const question of ['why did we have so many incidents last week?', 'what incidents are open right now?', 'what happened to checkout in the last hour?', 'what changed last week?', 'why is checkout slow?', 'did the deploy break payment last night?', 'is payment down since the deploy?']) {
      expect(historyQuestion(catalogue, question, []), question).toBeUndefined();
    }
  });
});
