import { loadConfig } from './config.js';
import { asAiopsError, ErrorCode, isUserError } from './errors.js';
import { createLogger } from './logger.js';
import { askCommand } from './commands/ask.js';
import type { CommandIo } from './commands/command-io.js';
import { detectCommand } from './commands/detect.js';
import { logsCommand } from './commands/logs.js';
import { rcaCommand } from './commands/rca.js';
import { simCommand } from './commands/sim.js';
import { startCommand } from './commands/start.js';

export const HELP = `usage: aiops <command> [options]

commands:
  start          the bot and its workers in one process (the default for npm start)
  bot            the bot alone: schedules detection (and, with Slack configured, answers there)
  worker         a worker alone: runs detection and training jobs; start as many as needed
  detect         score timestamp,value CSV files with the streaming detector (aiops detect --help)
  logs templates mine log templates: one message a line in, CSV line,template_id,template out
  rca            rank an incident's likely root-cause services from a case folder (aiops rca --help)
  ask            answer a question as the bot would, as text: aiops ask "why is checkout failing?"
  sim list       the simulated world's fault scenarios
  sim export     the simulated world's metric history as OpenMetrics (see aiops sim --help)

Settings come from the environment (see README.md, "Configuration").`;

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
      case 'worker': {
        const roles = { schedule: command !== 'worker', work: command !== 'bot' };
        const config = loadConfig(context.environment, { stdoutIsTerminal: context.stdoutIsTerminal });
        const logger = createLogger({ level: config.logLevel, pretty: config.prettyLogs });
        await startCommand({ config, logger, roles, stopSignal: context.stopSignal() });
        return 0;
      }
      case 'detect':
        return await detectCommand(rest, context);
      case 'logs':
        return await logsCommand(rest, context);
      case 'rca':
        return await rcaCommand(rest, context);
      case 'ask':
        return await askCommand(rest, context, context.environment);
      case 'sim':
        return await simCommand(rest, context);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        context.stdout.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        context.stderr.write(`aiops: unknown command "${command}"; expected start, bot, worker, detect, logs, rca, ask or sim (aiops --help lists them)\n`);
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

/** node:util parseArgs rejects unknown or malformed flags with these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
