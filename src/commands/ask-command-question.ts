import type { Logger } from '../logger.js';
import type { CapacityForecastDependencies } from '../investigation/capacity-forecast.js';
import type { QuestionCommand } from '../slack/commands-in-question.js';
import type { LogReader } from '../sources/log-reader.js';
import type { Stores } from '../state/stores.js';

type ForecastCommand = Extract<QuestionCommand, { kind: 'forecast' }>;
type LogsCommand = Extract<QuestionCommand, { kind: 'logs' }>;

/** Each service's forecast as the lines posted with its chart in Slack; a terminal gets no chart. */
export async function forecastsText(commands: readonly ForecastCommand[], dependencies: CapacityForecastDependencies): Promise<string> {
  const [{ capacityForecast }, { forecastSummaryText, forecastUnavailableText }, { unescapeMrkdwn }] = await Promise.all([
    import('../investigation/capacity-forecast.js'),
    import('../slack/blocks/forecast-summary.js'),
    import('../slack/blocks/limits.js'),
  ]);
  const texts: string[] = [];
  for (const command of commands) {
    const result = await capacityForecast(dependencies, command);
    texts.push(result.status === 'ok' ? unescapeMrkdwn(withoutEmphasis(forecastSummaryText(result))) : forecastUnavailableText(result));
  }
  return texts.join('\n\n');
}

export interface LogTemplatesSetup {
  stores: Pick<Stores, 'minedLogs' | 'claims'>;
  reader: LogReader;
  now: () => number;
  logger: Logger;
  /** The simulated world is this process's own and no worker mined it: mine the window and the hour before it first. */
  mineFirst: boolean;
}

/** Each service's top log templates over the window, against the hour before, as `/aiops logs` shows them. */
export async function logTemplatesText(commands: readonly LogsCommand[], setup: LogTemplatesSetup): Promise<string> {
  const [{ mineServiceLogs, LOG_MINING_DEFAULTS }, { LOG_MINERS }, { logTemplatesMessage }, { unescapeMrkdwn }] = await Promise.all([
    import('../jobs/mine-service-logs.js'),
    import('../jobs/log-miners.js'),
    import('../slack/blocks/log-templates-message.js'),
    import('../slack/blocks/limits.js'),
  ]);
  const texts: string[] = [];
  for (const command of commands) {
    if (setup.mineFirst) {
      // The summary compares the window with the hour before it, so both are mined, as a worker would have by now; a pass stops after its page limit, so passes go on until one runs dry.
      const options = { warmUpMinutes: command.minutes + 60 };
      for (;;) {
        // Findings are evidence for incidents and investigations; a list of templates raises none.
        const run = await mineServiceLogs(command.service, { reader: setup.reader, stores: setup.stores, now: setup.now, logger: setup.logger, ...LOG_MINERS, sink: async () => undefined, options });
        if (!run.ran || run.pages < LOG_MINING_DEFAULTS.maximumPagesPerPass) break;
      }
    }
    const summary = await setup.stores.minedLogs.templateSummary(command.service, { now: setup.now(), minutes: command.minutes });
    texts.push(unescapeMrkdwn(logTemplatesMessage(summary).text));
  }
  return texts.join('\n\n');
}

/** Slack's *bold* and _italic_ marks, which a terminal prints as they are. */
function withoutEmphasis(mrkdwn: string): string {
  return mrkdwn.replace(/\*([^*\n]+)\*/g, '$1').replace(/(^|\s)_([^_\n]+)_(?=\s|$)/gm, '$1$2');
}
