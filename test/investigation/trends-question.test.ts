import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { trendsQuestion } from '../../src/investigation/trends-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

describe('trendsQuestion', () => {
  it('reads the one service asked about, else the whole estate', () => {
    expect(trendsQuestion(catalogue, 'how is checkout doing compared to last week?', [])).toEqual({ service: 'checkout' });
    expect(trendsQuestion(catalogue, 'any trends on the orders service?', [])).toEqual({ service: 'order-service' });
    expect(trendsQuestion(catalogue, 'what got worse since the last deploy?', [])).toEqual({});
    expect(trendsQuestion(catalogue, 'is cart or payment trending worse week over week?', [])).toEqual({});
    expect(trendsQuestion(catalogue, 'what got slower than last week?', ['payment'])).toEqual({ service: 'payment' });
  });

  it('leaves causes and other questions to the others', () => {
    for (const question of ['why did checkout get slower than last week?', 'why is checkout slow?', 'what changed last week?', 'who owns cart?']) {
      expect(trendsQuestion(catalogue, question, []), question).toBeUndefined();
    }
  });
});
