import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { editDistance } from '../../src/edit-distance.js';
import { servicesInQuestion } from '../../src/investigation/question-services.js';
import { describeUnknownServices, unknownServicesInQuestion } from '../../src/investigation/unknown-services.js';
import { suggestServices } from '../../src/service-suggestions.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);

describe('suggestServices: close matches by edit distance and prefix', () => {
  it('finds typos, prefixes, plurals and "-service" left off', () => {
    expect(editDistance('paymnet', 'payment')).toBe(1);
    expect(suggestServices(catalogue, 'paymnet')).toEqual(['payment']);
    expect(suggestServices(catalogue, 'cahce')).toEqual(['cache']);
    expect(suggestServices(catalogue, 'catalog')).toEqual(['catalogue']);
    expect(suggestServices(catalogue, 'orders')).toEqual(['order-service']);
    expect(suggestServices(catalogue, 'Order_Service')).toEqual(['order-service']);
  });

  it('suggests nothing when nothing is close', () => {
    expect(suggestServices(catalogue, 'billing')).toEqual([]);
  });
});

describe('unknownServicesInQuestion', () => {
  it('names a service the catalogue does not hold, with what it may mean', () => {
    expect(unknownServicesInQuestion(catalogue, 'why is billing slow?')).toEqual([{ name: 'billing', suggestions: [] }]);
    expect(unknownServicesInQuestion(catalogue, 'why is the paymnet service failing?')).toEqual([{ name: 'paymnet', suggestions: ['payment'] }]);
    expect(unknownServicesInQuestion(catalogue, "what's wrong with the catalog")).toEqual([{ name: 'catalog', suggestions: ['catalogue'] }]);
  });

  it('finds none in questions about catalogued services or the whole estate', () => {
    for (const question of ['why is checkout failing?', "why can't checkout quote shipping?", 'is anything on fire?', 'is something wrong with the shop?', 'what is wrong right now?', 'why does cart keep restarting?', 'why is the user service slow?', 'why is it slow?']) {
      expect(unknownServicesInQuestion(catalogue, question), question).toEqual([]);
    }
  });

  it('reads the word after a verb as a subject only where the question starts with the verb or a question word', () => {
    expect(unknownServicesInQuestion(catalogue, 'is billing ok?')).toEqual([{ name: 'billing', suggestions: [] }]);
    expect(unknownServicesInQuestion(catalogue, 'hey, why is billing slow?')).toEqual([{ name: 'billing', suggestions: [] }]);
    for (const question of ['what incidents are open?', 'which alerts are firing right now?', 'how many incidents were resolved today?', 'what services are degraded?']) {
      expect(unknownServicesInQuestion(catalogue, question), question).toEqual([]);
    }
  });

  it('reads a plural as the service', () => {
    expect(servicesInQuestion(catalogue, 'are payments broken?')).toEqual(['payment']);
    expect(unknownServicesInQuestion(catalogue, 'are payments broken?')).toEqual([]);
  });

  it('says the name is unknown, with the close matches or else the catalogued services', () => {
    expect(describeUnknownServices(catalogue, [{ name: 'paymnet', suggestions: ['payment'] }])).toBe('paymnet is not a catalogued service. Did you mean payment?');
    expect(describeUnknownServices(catalogue, [{ name: 'billing', suggestions: [] }])).toBe(
      'billing is not a catalogued service. The catalogued services are cache, cart, catalogue, checkout, database, frontend, order-service, payment, shipping, user.',
    );
  });
});
