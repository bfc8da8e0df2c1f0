import type { WebClient } from '@slack/web-api';
import { forecastChartSvg } from '../charts/forecast-chart.js';
import { renderPng } from '../charts/render-png.js';
import { capacityForecast, type CapacityForecastDependencies, type CapacityForecastRequest } from '../investigation/capacity-forecast.js';
import { formatSignalValue, SIGNAL_UNITS } from '../signals.js';
import { forecastChartTitles, forecastSummaryText, forecastUnavailableText } from './blocks/forecast-summary.js';
import type { ChannelPacer } from './channel-pacer.js';

export interface ForecastTarget {
  channel: string;
  /** Posted in this thread when given. */
  threadTs?: string;
}

export type ForecastPosting = { outcome: 'posted'; fileId?: string } | { outcome: 'unavailable'; text: string } | { outcome: 'failed'; text: string };

/** History shown before the forecast: three horizons, at least two days, at most the two weeks read. */
function historyShownMilliseconds(horizonHours: number): number {
  return Math.min(14 * 86_400_000, Math.max(2 * 86_400_000, 3 * horizonHours * 3_600_000));
}

/**
 * Forecasts, draws the chart and uploads it with the summary as its comment, through Slack's
 * external upload flow (files.getUploadURLExternal, the bytes, files.completeUploadExternal). A
 * series too short gets words instead of a chart; a channel that refuses the upload gets the
 * summary back for the asker alone.
 */
export async function postCapacityForecast(client: WebClient, pacer: ChannelPacer, dependencies: CapacityForecastDependencies, target: ForecastTarget, request: CapacityForecastRequest): Promise<ForecastPosting> {
  const result = await capacityForecast(dependencies, request);
  if (result.status !== 'ok') return { outcome: 'unavailable', text: forecastUnavailableText(result) };
  const shownFrom = result.generatedAt - historyShownMilliseconds(request.horizonHours);
  const limit = result.plan ? { value: result.plan.limit, label: `limit ${formatSignalValue(result.signal, result.plan.limit)} (${result.plan.currentReplicas} pods)` } : undefined;
  const png = renderPng(
    forecastChartSvg({
      ...forecastChartTitles(result),
      unit: SIGNAL_UNITS[result.signal],
      history: result.history.filter((sample) => sample.timestamp >= shownFrom),
      forecast: result.forecast,
      ...(limit ? { limit } : {}),
    }),
  );
  const summary = forecastSummaryText(result);
  const stamp = new Date(result.generatedAt).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  try {
    const upload = { file: png, filename: `forecast-${request.service}-${request.signal}-${stamp}.png`, title: forecastChartTitles(result).title, initial_comment: summary };
    const threadTs = target.threadTs;
    const uploaded = await pacer.send(target.channel, () =>
      threadTs ? client.filesUploadV2({ ...upload, channel_id: target.channel, thread_ts: threadTs }) : client.filesUploadV2({ ...upload, channel_id: target.channel }),
    );
    const fileId = (uploaded.files as Array<{ files?: Array<{ id?: string }> }> | undefined)?.[0]?.files?.[0]?.id;
    return { outcome: 'posted', ...(fileId ? { fileId } : {}) };
  } catch (error) {
    return { outcome: 'failed', text: `I could not upload the chart here (${(error as Error).message.split('\n')[0]}); invite me with \`/invite @aiops\`. The forecast:\n${summary}` };
  }
}
