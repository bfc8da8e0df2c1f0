import { parseArgs } from 'node:util';
import type { CommandIo } from './commands/command-io.js';
import { asAiopsError, ErrorCode, inputError, isUserError } from './errors.js';
import { parseWorkerQueues, WORKER_QUEUES, type WorkerQueue } from './worker-queues.js';

// Commands are imported when they run, not here: `aiops --help` or `aiops logs templates` must not
// pay for the Kubernetes client, LangChain and Bolt that `aiops start` needs (seconds of start-up).

export const HELP = `usage: aiops <command> [options]

commands:
  start          the bot and its workers in one process (the default for npm start)
  bot            the bot alone: schedules detection (and, with Slack configured, answers there)
  worker         a worker alone: runs detection, training, forecast, log-mining and healing jobs (--queues picks); start as many as needed
  detect         score timestamp,value CSV files with the streaming detector (aiops detect --help)
  logs templates mine log templates: one message a line in, CSV line,template_id,template out
  rca            rank an incident's likely root-cause services from a case folder (aiops rca --help)
  forecast       forecast a timestamp,value CSV, or backtest one (aiops forecast --help)
  ask            answer a question as the bot would, as text: aiops ask "why is checkout failing?"
  sim list       the simulated world's fault scenarios
  sim export     the simulated world's metric history as OpenMetrics (see aiops sim --help)
  jobs           what the job queues hold: counts, workers, recent failures, stuck jobs (aiops jobs --help)

Every command answers --help. Settings come from the environment (see README.md, "Configuration").`;

type Role = 'start' | 'bot' | 'worker';

const ROLE_SUMMARIES: Record<Role, string> = {
  start: 'The bot and its workers in one process (what npm start runs).',
  bot: 'The bot alone: schedules detection, serves the Alertmanager webhook and, with Slack configured,\ntalks to Slack. Run workers beside it (aiops worker).',
  worker: 'A worker alone: runs the detection, training, forecast, log-mining and healing jobs the bot schedules in\nRedis. Start as many as the estate needs, each with its own PORT on a shared host.',
};

/** `aiops start --help` and its siblings: printed without loading the bot or touching Redis. */
export function roleHelp(role: Role): string {
  const queues =
    role === 'bot'
      ? ''
      : `
  --queues LIST  the queues this process works on, comma-separated, from ${WORKER_QUEUES.join(', ')}
                 (default all; AIOPS_WORKER_QUEUES sets it too, the flag wins)
`;
  return `usage: aiops ${role}${role === 'bot' ? '' : ' [--queues LIST]'}

${ROLE_SUMMARIES[role]}
${queues}
Settings come from the environment (REDIS_URL, PORT, SLACK_*, PROMETHEUS_URL, ELASTICSEARCH_URL,
KUBECONFIG, OPENAI_*, AIOPS_CONFIG, AIOPS_WORKER_*; see README.md, "Configuration"). Serves
/healthz on PORT. Runs until SIGINT or SIGTERM, then finishes the jobs in hand and exits 0. A
failed start (a bad setting, PORT in use, Redis unreachable, Slack refusing the token) exits
non-zero at once with one line on standard error.`;
}

export interface CliContext extends CommandIo {
  environment: Record<string, string | undefined>;
  /** Resolves with a signal name when the process is asked to stop. */
  stopSignal: () => Promise<string>;
  stdoutIsTerminal: boolean;
}

/** Runs one command; returns the exit code. User mistakes print one line; bugs print a stack trace. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
      case 'bot':
      case 'worker':
        return await roleCommand(command, rest, context);
      case 'detect':
        return await (await import('./commands/detect.js')).detectCommand(rest, context);
      case 'logs':
        return await (await import('./commands/logs.js')).logsCommand(rest, context);
      case 'rca':
        return await (await import('./commands/rca.js')).rcaCommand(rest, context);
      case 'forecast':
        return await (await import('./commands/forecast.js')).forecastCommand(rest, context);
      case 'ask':
        return await (await import('./commands/ask.js')).askCommand(rest, context, context.environment);
      case 'sim':
        return await (await import('./commands/sim.js')).simCommand(rest, context);
      case 'jobs':
        return await (await import('./commands/jobs.js')).jobsCommand(rest, context, context.environment);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        context.stdout.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        context.stderr.write(`aiops: unknown command "${command}"; expected start, bot, worker, detect, logs, rca, forecast, ask, sim or jobs (aiops --help lists them)\n`);
        return 2;
    }
  } catch (error) {
    if (isParseArgsError(error)) {
      // Some parseArgs messages span lines ("--seed -1" is ambiguous...); a user error is one line.
      context.stderr.write(`aiops: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    const failure = asAiopsError(error);
    if (failure.code === ErrorCode.Internal) {
      context.stderr.write(`aiops: internal error (${failure.code}): ${failure.stack ?? failure.message}\n`);
      return 1;
    }
    context.stderr.write(`aiops: ${failure.toOneLine()}\n`);
    return isUserError(failure) ? 2 : 1;
  }
}

/**
 * `start`, `bot` and `worker`: the help and the arguments are checked before anything is loaded or
 * connected, the settings before the bot's modules are loaded, so a mistake is reported at once.
 */
async function roleCommand(role: Role, argv: string[], context: CliContext): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    context.stdout.write(`${roleHelp(role)}\n`);
    return 0;
  }
  const queues = role === 'bot' ? undefined : queuesFlag(role, argv);
  if (role === 'bot' && argv.length > 0) throw inputError(role, `takes no arguments, got "${argv.join(' ')}"; settings come from the environment (aiops ${role} --help)`);
  const { loadConfig } = await import('./config.js');
  const loaded = loadConfig(context.environment, { stdoutIsTerminal: context.stdoutIsTerminal });
  const config = queues === undefined ? loaded : { ...loaded, workers: { ...loaded.workers, queues } };
  const [{ createLogger }, { startCommand }] = await Promise.all([import('./logger.js'), import('./commands/start.js')]);
  const logger = createLogger({ level: config.logLevel, pretty: config.prettyLogs });
  await startCommand({ config, logger, roles: { schedule: role !== 'worker', work: role !== 'bot' }, stopSignal: context.stopSignal() });
  return 0;
}

/** `--queues detection,logs` (or `--queues=…`), the only flag `start` and `worker` take; it overrides AIOPS_WORKER_QUEUES. */
function queuesFlag(role: Role, argv: string[]): WorkerQueue[] | undefined {
  const refused = () => inputError(role, `takes no arguments but --queues LIST, got "${argv.join(' ')}"; settings come from the environment (aiops ${role} --help)`);
  let queues: string | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { queues: { type: 'string' } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw refused();
    queues = values.queues;
  } catch (error) {
    throw isParseArgsError(error) ? refused() : error;
  }
  return queues === undefined ? undefined : parseWorkerQueues(queues, '--queues');
}

/** node:util parseArgs rejects unknown or malformed flags with these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
