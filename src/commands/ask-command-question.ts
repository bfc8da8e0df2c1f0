import type { Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { QuestionCommand } from '../slack/commands-in-question.js';
import type { Sources } from '../sources/create-sources.js';
import type { Stores } from '../state/stores.js';

export interface CommandQuestionSetup {
  catalogue: Catalogue;
  sources: Pick<Sources, 'metrics' | 'cluster' | 'logReader'>;
  /** The sources' clock. */
  now: () => number;
  logger: Logger;
  /** The bot's PostgreSQL history (DATABASE_URL), for questions about past incidents. */
  databaseUrl?: string;
  /** The simulated world is this process's own: no worker mined its logs or forecast its services (both are done first, as the workers would have by now) and no bot correlated its incidents. */
  ownWorld: boolean;
}

/** Whether answering needs Redis: log templates, incidents and cached forecasts are read from the bot's stores; a forecast and trends from the sources, the history from PostgreSQL. */
export function needsStores(commands: readonly QuestionCommand[]): boolean {
  return commands.some((command) => command.kind === 'logs' || command.kind === 'incidents' || command.kind === 'capacity');
}

/**
 * What `/aiops forecast`, `logs`, `trends`, `incidents`, `history` or `capacity` would show, as plain text for a
 * terminal: each forecast as the lines posted with its chart (a terminal gets no chart).
 * `stores` is needed when needsStores says so.
 */
export async function commandAnswerText(commands: readonly QuestionCommand[], setup: CommandQuestionSetup, stores?: Stores): Promise<string> {
  const { unescapeMrkdwn } = await import('../slack/blocks/limits.js');
  const texts: string[] = [];
  for (const command of commands) texts.push(unescapeMrkdwn(await commandText(command, setup, stores)));
  return texts.join('\n\n');
}

async function commandText(command: QuestionCommand, setup: CommandQuestionSetup, stores: Stores | undefined): Promise<string> {
  const { catalogue, sources, now } = setup;
  switch (command.kind) {
    case 'forecast': {
      const [{ capacityForecast }, { forecastSummaryText, forecastUnavailableText }] = await Promise.all([import('../investigation/capacity-forecast.js'), import('../slack/blocks/forecast-summary.js')]);
      const result = await capacityForecast({ catalogue, metrics: sources.metrics, cluster: sources.cluster, now }, command);
      return result.status === 'ok' ? withoutEmphasis(forecastSummaryText(result)) : forecastUnavailableText(result);
    }
    case 'trends': {
      const [{ serviceTrends }, { trendsMessage }] = await Promise.all([import('../investigation/service-trends.js'), import('../slack/blocks/trends-message.js')]);
      const trends = await serviceTrends({ catalogue, metrics: sources.metrics, cluster: sources.cluster, now }, command.service ? { services: [command.service] } : {});
      return trendsMessage(trends, { service: command.service }).text;
    }
    case 'logs':
      return logTemplatesText(command, setup, required(stores));
    case 'history':
      return historyText(command, setup);
    case 'capacity':
      return capacityText(setup, required(stores));
    case 'incidents': {
      const [{ estateStatus }, { incidentsMessage }] = await Promise.all([import('../investigation/estate-status.js'), import('../slack/blocks/incidents-message.js')]);
      const { anomalies, audit, acknowledgements } = required(stores);
      // The simulated world is this process's own: no bot correlated incidents in it, so each recent anomaly stands as one, as on a bot without an incident store.
      const incidents = setup.ownWorld ? {} : { incidents: required(stores).incidents };
      const status = await estateStatus({ catalogue, anomalies, audit, acknowledgements, now, ...incidents });
      return incidentsMessage(status.incidents, { now: now() }).text;
    }
  }
}

async function logTemplatesText(command: Extract<QuestionCommand, { kind: 'logs' }>, setup: CommandQuestionSetup, stores: Stores): Promise<string> {
  const [{ mineServiceLogs, LOG_MINING_DEFAULTS }, { LOG_MINERS }, { logTemplatesMessage }] = await Promise.all([
    import('../jobs/mine-service-logs.js'),
    import('../jobs/log-miners.js'),
    import('../slack/blocks/log-templates-message.js'),
  ]);
  if (setup.ownWorld) {
    // The summary compares the window with the hour before it, so both are mined; a pass stops after its page limit, so passes go on until one runs dry.
    const options = { warmUpMinutes: command.minutes + 60 };
    for (;;) {
      // Findings are evidence for incidents and investigations; a list of templates raises none.
      const run = await mineServiceLogs(command.service, { reader: setup.sources.logReader, stores, now: setup.now, logger: setup.logger, ...LOG_MINERS, sink: async () => undefined, options });
      if (!run.ran || run.pages < LOG_MINING_DEFAULTS.maximumPagesPerPass) break;
    }
  }
  return logTemplatesMessage(await stores.minedLogs.templateSummary(command.service, { now: setup.now(), minutes: command.minutes })).text;
}

async function capacityText(setup: CommandQuestionSetup, stores: Stores): Promise<string> {
  const [{ cachedCapacity }, { capacityMessage }, { forecastServiceSignal, SCHEDULED_FORECAST_SIGNALS }] = await Promise.all([
    import('../slack/capacity-warnings-for.js'),
    import('../slack/blocks/capacity-message.js'),
    import('../jobs/forecast-service.js'),
  ]);
  const services = Object.keys(setup.catalogue.services);
  if (setup.ownWorld) {
    // No worker forecast this world: every service's week ahead is forecast here first, as the hourly jobs would have.
    const dependencies = { catalogue: setup.catalogue, metrics: setup.sources.metrics, cluster: setup.sources.cluster, now: setup.now, forecasts: stores.forecasts, logger: setup.logger };
    for (const service of services) for (const signal of SCHEDULED_FORECAST_SIGNALS) await forecastServiceSignal(service, signal, dependencies);
  }
  const capacity = await cachedCapacity(stores.forecasts, services, setup.now());
  return withoutEmphasis(capacityMessage(capacity.warnings, capacity.forecasts, setup.now()).text);
}

async function historyText(command: Extract<QuestionCommand, { kind: 'history' }>, setup: CommandQuestionSetup): Promise<string> {
  if (!setup.databaseUrl) return 'The incident history is kept in PostgreSQL, and none is set: set DATABASE_URL to the bot\'s database to read it.';
  const [{ HistoryDatabase }, { historyMessage }] = await Promise.all([import('../history/history-database.js'), import('../slack/blocks/history-message.js')]);
  // A lost connection fails the query below, which says why; nothing else listens.
  const database = new HistoryDatabase(setup.databaseUrl, () => undefined);
  try {
    const now = setup.now();
    const summary = await database.summary(now - command.days * 86_400_000, { until: now + 60_000, ...(command.service ? { services: [command.service] } : {}) });
    return withoutEmphasis(historyMessage(summary, { ...(command.service ? { service: command.service } : {}), days: command.days }).text);
  } finally {
    await database.close();
  }
}

function required(stores: Stores | undefined): Stores {
  if (!stores) throw new Error('this answer reads Redis: open the state first (see needsStores)');
  return stores;
}

/** Slack's *bold* and _italic_ marks of the texts the bot writes, which a terminal prints as they are; never applied to log lines, whose asterisks are their own. */
function withoutEmphasis(mrkdwn: string): string {
  return mrkdwn.replace(/\*([^*\n]+)\*/g, '$1').replace(/(^|\s)_([^_\n]+)_(?=\s|$)/gm, '$1$2');
}
