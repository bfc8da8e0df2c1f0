import { CAPACITY_FORMULA } from '../../forecast/capacity-plan.js';
import type { CapacityForecast } from '../../investigation/capacity-forecast.js';
import { formatSignalValue, SIGNAL_MEANINGS } from '../../signals.js';

type ForecastOk = Extract<CapacityForecast, { status: 'ok' }>;

/**
 * The few lines posted with a forecast's chart: peak and average, replicas now and needed, when a
 * limit is crossed, the model and how well it did on this series' own past, and the formula. Plain
 * mrkdwn text: it rides on the file upload as its comment.
 */
export function forecastSummaryText(result: ForecastOk): string {
  const value = (number: number) => formatSignalValue(result.signal, number);
  const lines = [`*${result.service} ${result.signal.replace('_', ' ')}, next ${horizonText(result.horizonHours)}* (${SIGNAL_MEANINGS[result.signal]}; from ${Math.round(result.history.length / 288)} days of 5-minute history)`];
  const { peak } = result;
  const average = result.forecast.reduce((sum, point) => sum + point.value, 0) / Math.max(1, result.forecast.length);
  lines.push(`• Peak ${value(peak.value)} (95% bound) around ${utc(peak.at)}; average ${value(average)}; now ${value(result.current)}`);
  const plan = result.plan;
  if (plan) {
    const change = plan.recommendedReplicas === plan.currentReplicas ? 'enough' : plan.recommendedReplicas > plan.currentReplicas ? `scale up to *${plan.recommendedReplicas}*` : `${plan.recommendedReplicas} would do`;
    const hpa = plan.autoscaler ? ` (HPA ${plan.autoscaler.minReplicas}–${plan.autoscaler.maxReplicas}${plan.clampedByAutoscaler ? `; ${plan.neededReplicas} needed, beyond its range` : ''})` : '';
    lines.push(`• Replicas: ${plan.currentReplicas} now, ${change}${hpa}, planning for ${Math.round(plan.targetUtilisation * 100)}% of ${plan.perPodDescription}`);
    const reached = plan.limitReachedAt !== undefined ? `expected to reach it around ${utc(plan.limitReachedAt)}` : plan.limitPossiblyReachedAt !== undefined ? `not expected to reach it, but the 95% bound does from ${utc(plan.limitPossiblyReachedAt)}` : `not reached within ${horizonText(result.horizonHours)}, even at the 95% bound`;
    lines.push(`• Limit ${value(plan.limit)} (${plan.currentReplicas} pods): headroom now ${value(plan.headroom)} (${Math.round(plan.headroomShare * 100)}%); ${reached}`);
  } else if (result.noPlan) {
    lines.push(`• No replica count: ${result.noPlan}`);
  }
  const backtest = result.backtest;
  const against = backtest.seasonalNaiveError !== undefined && Number.isFinite(backtest.seasonalNaiveError) ? ` (seasonal naive: ${value(backtest.seasonalNaiveError)})` : '';
  lines.push(`• Model: ${result.model}; its error on this series' last ${backtest.origins} backtest origins: MAE ${value(backtest.meanAbsoluteError)}${against}`);
  if (plan) lines.push(`_${CAPACITY_FORMULA}; limit = per-pod capacity × replicas._`);
  return lines.join('\n');
}

/** The chart's title and its one-line subtitle. */
export function forecastChartTitles(result: ForecastOk): { title: string; subtitle: string } {
  return {
    title: `${result.service} ${result.signal.replace('_', ' ')}: ${horizonText(result.horizonHours)} forecast`,
    subtitle: `${result.model}; backtest MAE ${formatSignalValue(result.signal, result.backtest.meanAbsoluteError)}`,
  };
}

/** Why there is no chart: the history is too short, or there is none. */
export function forecastUnavailableText(result: Exclude<CapacityForecast, { status: 'ok' }>): string {
  if (result.status === 'too-short') {
    return `${result.service} has ${result.historyHours.toFixed(1)} h of ${result.signal} history; a ${horizonText(result.horizonHours)} forecast needs at least ${result.neededHours} h, so I will not draw one that would only look sure. Try a shorter horizon, or ask again later.`;
  }
  return `No forecast for ${result.service} ${result.signal}: ${result.reason}.`;
}

function horizonText(hours: number): string {
  return hours % 24 === 0 ? (hours === 24 ? '24 h' : `${hours / 24} days`) : `${hours} h`;
}

/** "Dec 05 20:00 UTC" */
function utc(milliseconds: number): string {
  const date = new Date(milliseconds);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${month} ${String(date.getUTCDate()).padStart(2, '0')} ${date.toISOString().slice(11, 16)} UTC`;
}
