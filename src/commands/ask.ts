import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { Answer } from '../investigation/answer.js';
import { inputError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Sources } from '../sources/create-sources.js';
import type { State } from '../state/state.js';
import type { Stores } from '../state/stores.js';
import type { CommandIo } from './command-io.js';

// What answering needs (the sources, the agent, Redis) is loaded once there is a question:
// `aiops ask --help` and a missing question answer at once, not after seconds of imports.

export const ASK_HELP = `usage: aiops ask QUESTION

Answers a question about the estate the way the bot answers it in Slack, and prints that answer as
plain text; progress goes to stderr as it happens. The words after "ask" are the question, quoted
or not: aiops ask "why is order-service slow?"

With an LLM configured (OPENAI_*) the agent investigates; without one, the root-cause engine answers.
Questions about the layout ("who owns payment?", "who is on call for the db?", "what does checkout
depend on?") are answered from the catalogue at once, with no sources or Redis; "what changed in
the last hour?" lists the change record. "How many replicas will order-service need tomorrow?" is
answered with its capacity forecast (as /aiops forecast, without the chart), "what is payment
logging?" with its top log templates against the hour before (as /aiops logs), "what's firing?"
with the open incidents, "how is checkout doing compared to last week?" with the trends and "how
many incidents did we have last week?" with the PostgreSQL history (DATABASE_URL).

Simulated world (no PROMETHEUS_URL): the world plays AIOPS_SCENARIO (default db-pool-exhaustion)
with its fault started 20 simulated minutes ago. No bot shares that world, so the command runs one
detection pass over every catalogued service itself, under a private key prefix in Redis that it
deletes before it exits; one killed before that (Ctrl-C, output piped into head) leaves its keys,
and the next ask deletes those more than an hour old.

Real sources: the answer reads the anomalies the bot's workers recorded in Redis (REDIS_URL) and,
for services they recorded nothing about, finds them in the metrics against the hour before the
question; so it answers beside aiops start (or aiops bot and aiops worker) and without them.`;

/** How long ago the simulated fault started: long enough to have spread up the call graph. */
const SIMULATED_FAULT_MINUTES_AGO = 20;
/** How far back the bot's anomaly log is checked before warning that no bot seems to be running. */
const RECENT_ANOMALIES_MILLISECONDS = 86_400_000;

export async function askCommand(argv: string[], io: CommandIo, environment: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    io.stdout.write(`${ASK_HELP}\n`);
    return 0;
  }
  const question = positionals.join(' ').replace(/\s+/g, ' ').trim();
  if (question === '') throw inputError('ask', 'missing the question, e.g. aiops ask "why is order-service slow?"');

  const [{ LOG_LEVELS, loadConfig }, { createLogger }, { answerMessage }, { unescapeMrkdwn }, { catalogueAnswer }] = await Promise.all([
    import('../config.js'),
    import('../logger.js'),
    import('../slack/blocks/answer-message.js'),
    import('../slack/blocks/limits.js'),
    import('../investigation/catalogue-answer.js'),
  ]);
  const config = loadConfig(environment, { stdoutIsTerminal: false });
  // The message's plain text is written for Slack, which shows `&lt;` as `<`; a terminal does not.
  const print = (answer: Answer, now: number) => io.stdout.write(`${unescapeMrkdwn(answerMessage(answer, { now, links: { prometheusUrl: config.prometheusUrl, kibanaUrl: config.kibanaUrl } }).text)}\n`);
  // Who owns it, who is paged, what it calls: the catalogue answers, with no sources, Redis or detection pass.
  const layout = catalogueAnswer(config.catalogue, question, []);
  if (layout) {
    print(layout, io.now());
    return 0;
  }
  const [{ createSources }, { openState }] = await Promise.all([import('../sources/create-sources.js'), import('../state/state.js')]);
  // stdout holds the answer alone: logs go to stderr, and only warnings and worse, since progress lines already say what happens.
  const level = LOG_LEVELS[Math.max(LOG_LEVELS.indexOf(config.logLevel), LOG_LEVELS.indexOf('warn'))];
  const logger = createLogger({ level, destination: io.stderr });
  const sources = await createSources(config, logger.child({ component: 'sources' }), { faultStartsInMinutes: -SIMULATED_FAULT_MINUTES_AGO });
  // Simulated metrics exist in this process only: no bot has detected anything in them, so this command does, in a namespace of its own.
  const simulated = sources.metrics.kind === 'sim';
  const sourcesNow = () => (simulated && sources.world ? sources.world.clock.now() : io.now());
  // "How many replicas will payment need tomorrow?", "what is payment logging?", "what's firing?": answered as the /aiops command of that kind would.
  const asked = (await import('../slack/commands-in-question.js')).commandsInQuestion(config.catalogue, question, [], sourcesNow());
  if (asked.whichService) {
    io.stdout.write(`${asked.whichService}\n`);
    return 0;
  }
  const commandAnswer = asked.commands.length > 0 ? await import('./ask-command-question.js') : undefined;
  const commandSetup = { catalogue: config.catalogue, sources, now: sourcesNow, logger, ownWorld: simulated, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) };
  const printCommandAnswer = async (stores?: Stores) => io.stdout.write(`${await commandAnswer!.commandAnswerText(asked.commands, commandSetup, stores)}${leftOutText(asked.leftOut)}\n`);
  // Forecasts and trends read the sources, the history PostgreSQL: no Redis needed.
  if (commandAnswer && !commandAnswer.needsStores(asked.commands)) {
    await printCommandAnswer();
    return 0;
  }
  const state = await openState({ redis: config.redis, catalogue: config.catalogue, logger, ...(simulated ? { scratch: 'ask' } : {}) });
  try {
    if (commandAnswer) {
      if (simulated && asked.commands.some((command) => command.kind === 'incidents')) await simulatedDetection({ config, sources, state, simulated, io, logger });
      await printCommandAnswer(state.stores);
      return 0;
    }
    const answer = await answerQuestion(question, { config, sources, state, simulated, io, logger });
    print(answer, sources.world && simulated ? sources.world.clock.now() : io.now());
    return 0;
  } finally {
    await state.close().catch((error: unknown) => io.stderr.write(`aiops: could not delete the keys under ${state.namespace} in Redis: ${(error as Error).message}\n`));
  }
}

/** The services named beyond those answered for, said after the answers. */
function leftOutText(leftOut: readonly string[]): string {
  return leftOut.length > 0 ? `\n\nAnswered for the first services named only; ask again for ${leftOut.join(', ')}.` : '';
}

interface AskSetup {
  config: Readonly<Config>;
  sources: Sources;
  state: State;
  simulated: boolean;
  io: CommandIo;
  logger: Logger;
}

/** What the bot's workers would have found in the simulated world by now, which is this process's own: one detection pass, said on stderr. */
async function simulatedDetection(setup: AskSetup): Promise<void> {
  const { config, sources, state, io, logger } = setup;
  const world = sources.world;
  const { detectionPass } = await import('./detection-pass.js');
  io.stderr.write(
    `simulated world: scenario ${world?.scenario?.name ?? 'none'}, fault started ${SIMULATED_FAULT_MINUTES_AGO} min ago; running one detection pass over ${Object.keys(config.catalogue.services).length} services\n`,
  );
  const now = () => world?.clock.now() ?? io.now();
  // A wider emit window than the workers' 15 minutes: this one pass must raise what they would have raised since the fault began.
  await detectionPass({ catalogue: config.catalogue, metrics: sources.metrics, cluster: sources.cluster, stores: state.stores, now, logger: logger.child({ component: 'detection' }), emitWindowMinutes: SIMULATED_FAULT_MINUTES_AGO + 5 });
}

/** Detection first when the world is this process's own, then the same investigation the bot runs, progress to stderr. */
async function answerQuestion(question: string, setup: AskSetup): Promise<Answer> {
  const { config, sources, state, simulated, io, logger } = setup;
  const { stores } = state;
  const world = simulated ? sources.world : undefined;
  const now = () => world?.clock.now() ?? io.now();
  const [{ investigate }, { createInvestigation }] = await Promise.all([import('../investigation/investigate.js'), import('../investigation/create-investigation.js')]);
  if (simulated) {
    await simulatedDetection(setup);
  } else if ((await stores.anomalies.since(now() - RECENT_ANOMALIES_MILLISECONDS)).length === 0) {
    io.stderr.write('no anomalies recorded in Redis in the last 24 h — is the bot (aiops start or aiops worker) running? Looking for them in the metrics\n');
  }

  // A world of its own has no incidents: list_incidents says so rather than reading an empty namespace.
  const created = createInvestigation(config, sources, { ...stores, incidents: simulated ? undefined : stores.incidents }, now, logger.child({ component: 'investigation' }));
  // A terminal has no Approve button: the engine's answer records no proposal, so asking writes nothing to Redis.
  const investigation = { ...created, proposals: undefined };
  let stepsShown = 0;
  const showNewSteps = (answer: Answer) => {
    for (const step of answer.steps.slice(stepsShown)) io.stderr.write(`… ${step}\n`);
    stepsShown = Math.max(stepsShown, answer.steps.length);
  };
  const answer = await investigate(question, [], investigation, async (progress) => showNewSteps(progress));
  showNewSteps(answer);
  return answer;
}
