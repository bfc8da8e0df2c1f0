import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { forecastServiceSignal } from '../../../src/jobs/forecast-service.js';
import { silentLogger } from '../../../src/logger.js';
import { ForecastStore } from '../../../src/state/forecast-store.js';
import { cleanUp, harness, redis } from './tool-harness.js';

afterEach(cleanUp);
afterAll(() => redis.disconnect());

describe('list_pods', () => {
  it('shows the OOMKilled pods of the memory-leak scenario, troubled first', async () => {
    const { call } = harness({ scenario: 'memory-leak', faultMinutesAgo: 120 });
    const result = await call('list_pods', { service: 'cart' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^shop\/cart: 3 pods, \d ready, \d+ restarts in all; reasons: OOMKilled ×\d/);
    expect(result.output.split('\n')[1]).toMatch(/^- cart-\S+: Running, (NOT )?ready, \d+ restarts, last terminated: OOMKilled, node shop-pool-\d, up \d+m$/);
  });

  it('answers an unknown service with the known ones', async () => {
    const { call } = harness();
    const result = await call('list_pods', { service: 'kart' });
    expect(result.status).toBe('error');
    expect(result.output).toMatch(/^Unknown service "kart"; known services: cache, cart, /);
  });
});

describe('cluster_events', () => {
  it('lists the OOM kills and back-offs of the leaking pods, newest first, with counts', async () => {
    const { call } = harness({ scenario: 'memory-leak', faultMinutesAgo: 120 });
    const result = await call('cluster_events', { service: 'cart' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/warning events for shop\/cart \(occurrences by reason: (OOMKilling|BackOff) ×\d+/);
    const times = [...result.output.matchAll(/^- (\d\d:\d\d) Warning/gm)].map((match) => match[1]!);
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('says no-data when a healthy service has no warnings, and shows rollouts when asked for all events', async () => {
    const { call } = harness({ scenario: 'bad-deploy' });
    expect((await call('cluster_events', { service: 'cache' })).status).toBe('no-data');
    const all = await call('cluster_events', { service: 'payment', onlyWarnings: false });
    expect(all.output).toMatch(/Normal ScalingReplicaSet deployment\/payment: Scaled up replica set payment-\S+ to \d/);
  });
});

describe('deployment_history', () => {
  it('shows the bad deploy as the current revision with its change-cause', async () => {
    const { call } = harness({ scenario: 'bad-deploy' });
    const result = await call('deployment_history', { service: 'payment' });
    expect(result.status).toBe('ok');
    const lines = result.output.split('\n');
    expect(lines[0]).toMatch(/^shop\/payment: image registry\.shop\.example\/payment:2\.5\.0, revision 3; replicas \d\/\d ready/);
    expect(lines[1]).toMatch(/^resources per pod: cpu request [\d.]+ cores?, cpu limit [\d.]+ cores?, memory request \d+ MiB, memory limit \d+ MiB$/);
    expect(lines[3]).toBe('- revision 3 (current) at 18:40 (20m ago), registry.shop.example/payment:2.5.0: deploy payment 2.5.0: new card-token flow');
    expect(lines[4]).toMatch(/^- revision 2 at \d{4}-\d\d-\d\d \d\d:\d\d \(\d+d( \d+h)? ago\), registry\.shop\.example\/payment:2\.4\.0/);
  });
});

describe('forecast_capacity', () => {
  it('predicts the leak reaching the memory limit, with a time and a range', async () => {
    const { call } = harness({ scenario: 'memory-leak', faultMinutesAgo: 20 });
    const result = await call('forecast_capacity', { service: 'cart', resource: 'memory' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^cart memory against 1\.5 GiB \(3 pods × 512 MiB limit, summed over pods/);
    expect(result.output).toMatch(/Reaches it in about \d+ min, around \d\d:\d\d UTC \(90% range: .*\); confidence [\d.]+/);
  });

  it('says honestly when usage is not rising', async () => {
    const { call } = harness();
    const result = await call('forecast_capacity', { service: 'order-service', resource: 'cpu' });
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/\n(Not rising|No clear trend): /);
  });

  it('adds the hourly week-ahead forecast the jobs cached, with its model, peak, crossing and replicas', async () => {
    const first = harness();
    const forecasts = new ForecastStore(redis, first.prefix);
    const { call, dependencies } = harness({ overrides: { forecasts } });
    const now = dependencies.now();
    await forecastServiceSignal('order-service', 'cpu', { catalogue: dependencies.catalogue, metrics: dependencies.metrics, cluster: first.cluster, now: () => now, forecasts, logger: silentLogger() });
    const result = await call('forecast_capacity', { service: 'order-service', resource: 'cpu' });
    expect(result.output).toMatch(/\nWeek-ahead forecast \(made \d\d:\d\d UTC, seasonal decomposition \(daily;[^)]*\), backtest MAE [\d.]+ cores\): peak [\d.]+ cores at the 95% bound around .* UTC; stays under the limit all week, even at its 95% bound; 1 replica holds the planned utilisation \(3 now\)\.$/);
  });

  it('says how little it can tell right after an OOM kill', async () => {
    const { call } = harness({ scenario: 'memory-leak', faultMinutesAgo: 120 });
    const result = await call('forecast_capacity', { service: 'cart', resource: 'memory' });
    expect(result.output).toMatch(/restart-like drop at \d\d:\d\d UTC/);
  });
});
