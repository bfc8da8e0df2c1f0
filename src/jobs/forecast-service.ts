import { hourlyMaxima, type ForecastDigest } from '../forecast/forecast-digest.js';
import { capacityForecast, type CapacityForecastDependencies, type ForecastSignal } from '../investigation/capacity-forecast.js';
import type { Logger } from '../logger.js';
import type { ForecastStore } from '../state/forecast-store.js';

/** The signals forecast every hour: those a replica count and a limit follow from. */
export const SCHEDULED_FORECAST_SIGNALS: readonly ForecastSignal[] = ['cpu', 'memory', 'request_rate'];
/** A week ahead: App Home lists what crosses a limit within it. */
export const SCHEDULED_FORECAST_HOURS = 7 * 24;

export interface ForecastJobDependencies extends CapacityForecastDependencies {
  forecasts: Pick<ForecastStore, 'save'>;
  logger: Logger;
}

/**
 * One service's hourly forecast of one signal, a week ahead, kept in Redis for App Home, the
 * agent and the digest. A series too short, or a source that cannot be read, leaves the last
 * forecast to expire and says why in the log; neither is a failure worth three retries.
 */
export async function forecastServiceSignal(service: string, signal: ForecastSignal, dependencies: ForecastJobDependencies): Promise<{ service: string; signal: ForecastSignal; status: string }> {
  const result = await capacityForecast(dependencies, { service, signal, horizonHours: SCHEDULED_FORECAST_HOURS });
  if (result.status !== 'ok') {
    dependencies.logger.info({ service, signal, status: result.status, ...(result.status === 'no-data' ? { reason: result.reason } : { historyHours: result.historyHours }) }, 'no forecast this hour');
    return { service, signal, status: result.status };
  }
  const plan = result.plan;
  const digest: ForecastDigest = {
    service,
    signal,
    generatedAt: result.generatedAt,
    horizonHours: result.horizonHours,
    model: result.model,
    backtestError: result.backtest.meanAbsoluteError,
    ...(result.backtest.seasonalNaiveError !== undefined && Number.isFinite(result.backtest.seasonalNaiveError) ? { seasonalNaiveError: result.backtest.seasonalNaiveError } : {}),
    current: result.current,
    peak: result.peak.value,
    peakAt: result.peak.at,
    average: result.forecast.reduce((sum, point) => sum + point.value, 0) / result.forecast.length,
    ...(plan
      ? {
          limit: plan.limit,
          currentReplicas: plan.currentReplicas,
          recommendedReplicas: plan.recommendedReplicas,
          ...(plan.limitReachedAt !== undefined ? { limitReachedAt: plan.limitReachedAt } : {}),
          ...(plan.limitPossiblyReachedAt !== undefined ? { limitPossiblyReachedAt: plan.limitPossiblyReachedAt } : {}),
        }
      : {}),
    hourly: hourlyMaxima(result.forecast),
  };
  await dependencies.forecasts.save(digest);
  return { service, signal, status: 'ok' };
}
