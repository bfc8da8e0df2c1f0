import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { incidentsQuestion } from '../../src/investigation/incidents-question.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

describe('incidentsQuestion', () => {
  it('recognises a question for the open incidents', () => {
    for (const question of ['what incidents are open?', "what's firing?", 'any open incidents?', 'which alerts are firing right now?', 'list the incidents', 'show me the active alerts']) {
      expect(incidentsQuestion(catalogue, question), question).toBe(true);
    }
  });

  it('leaves causes, the history, paging and a named service to the others', () => {
    for (const question of ['why are so many alerts firing?', 'how many incidents did we have last week?', 'who is paged for incidents?', 'any incidents on payment?', 'is anything wrong?', 'what caused the incident?']) {
      expect(incidentsQuestion(catalogue, question), question).toBe(false);
    }
  });
});
