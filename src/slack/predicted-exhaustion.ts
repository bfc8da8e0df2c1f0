import { FORECAST_SIGNALS, type ForecastSignal } from '../investigation/capacity-forecast.js';
import type { Incident } from '../alerts/incident.js';

/**
 * What an incident's firing predictive alert (our detectors' PredictedExhaustion: memory about to
 * reach its limit) says will run out, as a forecast to draw: its service and signal. Undefined
 * when the incident holds none, or its signal has no forecast.
 */
export function predictedExhaustion(incident: Pick<Incident, 'alerts'>): { service: string; signal: ForecastSignal } | undefined {
  for (const alert of Object.values(incident.alerts)) {
    if (alert.source !== 'detector' || alert.name !== 'PredictedExhaustion' || alert.status !== 'firing' || alert.service === undefined) continue;
    const signal = alert.signals?.find((candidate): candidate is ForecastSignal => (FORECAST_SIGNALS as readonly string[]).includes(candidate));
    if (signal) return { service: alert.service, signal };
  }
  return undefined;
}
