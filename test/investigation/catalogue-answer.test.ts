import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import { catalogueAnswer } from '../../src/investigation/catalogue-answer.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
// The example pages nobody: these routes page the payments team's services and, from warnings on, the database.
const paged: Catalogue = {
  ...catalogue,
  paging: {
    receivers: { 'payments-pagerduty': { type: 'pagerduty' }, 'platform-opsgenie': { type: 'opsgenie' } },
    routes: [
      { receiver: 'payments-pagerduty', minimumSeverity: 'critical', teams: ['payments'] },
      { receiver: 'platform-opsgenie', minimumSeverity: 'warning', services: ['database'] },
    ],
  },
};

describe('catalogueAnswer', () => {
  it('says who owns a service, named by an alias, with the rest of its card', () => {
    const answer = catalogueAnswer(catalogue, 'which team owns orders?', []);
    expect(answer).toMatchObject({ method: 'catalogue', stage: 'done', services: ['order-service'] });
    expect(answer?.conclusion).toBe('order-service is owned by team orders; its incidents go to #shop-orders (Deployment order-service in namespace shop)');
    expect(answer?.facts).toEqual([
      'Nobody is paged for order-service: no paging route takes it in, so its incidents are posted in #shop-orders only',
      'order-service calls database, cache',
      'order-service is called by checkout, and through it by frontend',
    ]);
  });

  it('says who is paged, by the routes that take the service in and from which severity', () => {
    expect(catalogueAnswer(paged, 'who is on call for payment?', [])?.conclusion).toBe('Critical incidents on payment page payments-pagerduty (PagerDuty)');
    expect(catalogueAnswer(paged, 'who do I page for the db', [])?.conclusion).toBe('Warning and critical incidents on database page platform-opsgenie (Opsgenie)');
    expect(catalogueAnswer(paged, 'who gets paged for cart?', [])?.conclusion).toBe('Nobody is paged for cart: no paging route takes it in, so its incidents are posted in #shop-web only');
  });

  it('names the receivers an escalation rule pages, for every service', () => {
    const escalating: Catalogue = { ...paged, alerting: { ...paged.alerting, escalation: [{ name: 'unacknowledged for 30 minutes', minimumSeverity: 'warning', unacknowledgedFor: 1_800_000, raiseTo: 'critical', page: ['platform-opsgenie'] }] } as Catalogue['alerting'] };
    expect(catalogueAnswer(escalating, 'who is on call for cart?', [])?.conclusion).toBe('Escalation rule "unacknowledged for 30 minutes" pages platform-opsgenie (Opsgenie) when it fires');
  });

  it('tells what a service calls from what calls it, each service once, through cycles', () => {
    expect(catalogueAnswer(catalogue, 'what does checkout depend on?', [])?.conclusion).toBe('checkout calls order-service, cart, payment, shipping, and through them database, cache');
    expect(catalogueAnswer(catalogue, 'what calls the database?', [])?.conclusion).toBe('database is called by order-service, payment, catalogue, shipping, user, and through them by checkout, frontend');
    expect(catalogueAnswer(catalogue, 'what depends on payment', [])?.conclusion).toBe('payment is called by checkout, and through it by frontend');
    const service = (name: string, dependency: string) => ({ ...catalogue.services.cart!, name, deployment: name, aliases: [], dependencies: [dependency] });
    const cyclic: Catalogue = { ...catalogue, services: { a: service('a', 'b'), b: service('b', 'c'), c: service('c', 'a') } };
    expect(catalogueAnswer(cyclic, 'what does a call?', [])?.conclusion).toBe('a calls b, and through it c');
    expect(catalogueAnswer(cyclic, 'who calls a', [])?.conclusion).toBe('a is called by c, and through it by b');
  });

  it('answers for the thread\'s service, else for every service', () => {
    expect(catalogueAnswer(catalogue, 'who owns it?', ['payment'])?.services).toEqual(['payment']);
    expect(catalogueAnswer(catalogue, 'and what calls it?', ['payment'])?.conclusion).toBe('payment is called by checkout, and through it by frontend');
    expect(catalogueAnswer(catalogue, 'what does it depend on', ['payment'])?.conclusion).toBe('payment calls database');
    const everyone = catalogueAnswer(catalogue, 'who owns what?', []);
    expect(everyone?.conclusion).toBe('Who owns the 10 catalogued services');
    expect(everyone?.facts).toHaveLength(10);
    expect(everyone?.facts?.[0]).toBe('frontend is owned by team web; its incidents go to #shop-web (Deployment frontend in namespace shop)');
    expect(catalogueAnswer(catalogue, 'who owns payment and cart?', [])?.conclusion).toBe('Who owns payment and cart');
  });

  it('links the runbook of each service it is about, when the catalogue gives one', () => {
    const withRunbook: Catalogue = { ...catalogue, services: { ...catalogue.services, payment: { ...catalogue.services.payment!, runbook: 'https://wiki.example.com/runbooks/payment' } } };
    expect(catalogueAnswer(withRunbook, 'who owns payment?', [])?.runbooks).toEqual([{ service: 'payment', url: 'https://wiki.example.com/runbooks/payment' }]);
    expect(catalogueAnswer(withRunbook, 'who owns payment and cart?', [])?.runbooks).toEqual([{ service: 'payment', url: 'https://wiki.example.com/runbooks/payment' }]);
    expect(catalogueAnswer(catalogue, 'who owns payment?', [])?.runbooks).toBeUndefined();
  });

  it('leaves questions about trouble, and every other question, to the investigation', () => {
    for (const question of ['why is checkout slow, who owns it?', 'who owns the payment outage?', 'is the db ok?', 'why is order-service slow?', 'what changed in the last hour?', 'is anything wrong?']) {
      expect(catalogueAnswer(catalogue, question, []), question).toBeUndefined();
    }
  });

  it('leaves a question about an uncatalogued service to the investigation, which names the close ones', () => {
    expect(catalogueAnswer(catalogue, 'who owns billing?', [])).toBeUndefined();
    expect(catalogueAnswer(catalogue, 'what calls paymnt?', [])).toBeUndefined();
  });
});
