import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { investigationScope } from '../../src/investigation/services-in-scope.js';
import { anomaly } from '../alerts/builders.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const AT = Date.UTC(2026, 10, 24, 15, 0);
const names = (scope: ReturnType<typeof investigationScope>) => scope.services.map((service) => service.name).sort();

describe('investigationScope', () => {
  it('looks below a failing service: at what it calls', () => {
    const scope = investigationScope(catalogue, ['order-service'], [anomaly('order-service', ['latency_p95'], AT)]);
    expect(names(scope)).toEqual(['cache', 'database', 'order-service']);
    expect(scope.widenedToCallers).toBe(false);
  });

  it('looks above a service that is only busier than usual: at what sends it load, and what those call', () => {
    const scope = investigationScope(catalogue, ['database'], [anomaly('database', ['request_rate', 'cpu'], AT)]);
    expect(scope.widenedToCallers).toBe(true);
    expect(names(scope)).toEqual(expect.arrayContaining(['catalogue', 'database', 'order-service', 'payment', 'shipping', 'user', 'frontend', 'checkout']));
  });

  it('takes the whole estate when no service is named', () => {
    expect(investigationScope(catalogue, [], []).services).toHaveLength(Object.keys(catalogue.services).length);
  });
});
