import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { busyOnly, investigationScope, withLoadSources } from '../../src/investigation/services-in-scope.js';
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

describe('busyOnly and withLoadSources', () => {
  it('looks where the load comes from when the service asked about is calm and what it calls is only busier', () => {
    const anomalies = [anomaly('database', ['request_rate', 'cpu'], AT), anomaly('cache', ['request_rate'], AT)];
    expect(busyOnly(['checkout'], anomalies)).toEqual(['database', 'cache']);
    const scope = withLoadSources(catalogue, ['checkout'], ['database', 'cache']).map((service) => service.name);
    // catalogue calls database and cache but is not below checkout: only the load brings it in.
    expect(scope).toEqual(expect.arrayContaining(['checkout', 'database', 'cache', 'catalogue', 'frontend']));
  });

  it('keeps to what the service calls when it shows trouble itself, or when something below it does more than get busier', () => {
    expect(busyOnly(['checkout'], [anomaly('checkout', ['latency_p95'], AT), anomaly('database', ['request_rate'], AT)])).toEqual([]);
    expect(busyOnly(['checkout'], [anomaly('database', ['request_rate'], AT), anomaly('cache', ['latency_p95'], AT)])).toEqual([]);
    expect(busyOnly([], [anomaly('database', ['request_rate'], AT)])).toEqual([]);
    expect(busyOnly(['checkout'], [])).toEqual([]);
  });
});
