import { describeDuration } from '../duration.js';
import type { ForecastModel } from './forecast-series.js';

/**
 * The chosen model in words, for an answer's footnote or a CLI's output:
 * "seasonal decomposition (daily, weekly; today's deviation halves in 2 hours; damped trend)".
 */
export function describeForecastModel(model: ForecastModel, stepSeconds: number): string {
  if (model.kind === 'seasonal-naive') return `seasonal naive (the value ${span((model.lagSteps ?? 0) * stepSeconds)} earlier)`;
  const halfLife = model.halfLifeSteps ?? 0;
  const deviation = halfLife === 0 ? "today's deviation ignored" : Number.isFinite(halfLife) ? `today's deviation halves in ${span(halfLife * stepSeconds)}` : "today's deviation kept";
  const seasons = model.seasons.map((season) => season.name).join(', ');
  const details = [seasons || 'no season', deviation, ...(model.trend ? ['damped trend'] : [])].join('; ');
  return `${model.kind === 'level' ? 'level' : 'seasonal decomposition'} (${details})`;
}

/** "1 day", "7 days", "6 h", "15 min": as the step allows. */
function span(seconds: number): string {
  const day = 86_400;
  if (seconds >= day && Math.round(seconds) % day === 0) return Math.round(seconds / day) === 1 ? '1 day' : `${Math.round(seconds / day)} days`;
  if (seconds >= 3600 && Math.round(seconds) % 3600 === 0) return `${Math.round(seconds / 3600)} h`;
  return describeDuration(seconds * 1000);
}
