import { capacityWarnings, type ForecastDigest } from '../forecast/forecast-digest.js';
import { SCHEDULED_FORECAST_SIGNALS } from '../jobs/forecast-service.js';
import type { ForecastStore } from '../state/forecast-store.js';

const WEEK = 7 * 86_400_000;

/** The cached forecasts of these services that reach a limit within a week; none when the cache cannot be read. */
export async function capacityWarningsFor(forecasts: Pick<ForecastStore, 'many'>, services: readonly string[], now: number): Promise<ForecastDigest[]> {
  return (await cachedCapacity(forecasts, services, now)).warnings;
}

/** How many forecasts of these services are cached, and those that reach a limit within a week, soonest first. */
export async function cachedCapacity(forecasts: Pick<ForecastStore, 'many'>, services: readonly string[], now: number): Promise<{ forecasts: number; warnings: ForecastDigest[] }> {
  const digests = await forecasts.many(services, SCHEDULED_FORECAST_SIGNALS).catch(() => []);
  return { forecasts: digests.length, warnings: capacityWarnings(digests, now, WEEK) };
}
