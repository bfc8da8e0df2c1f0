import { startCommand } from '../../src/commands/start.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { TextCollector } from './cli-harness.js';
import { freePort } from './free-port.js';

/** `aiops start` with the bot role only, in this process. */
export interface RunningBot {
  port: number;
  /** What it logged, JSON lines. */
  log: TextCollector;
  stop: (signal: string) => void;
  stopped: Promise<void>;
}

/**
 * What `aiops start` runs, in this process with these settings on `redisUrl` and its log collected
 * (the bot role, where the webhooks live; no workers); resolves once it has logged that it watches.
 */
export async function startBotRole(redisUrl: string, environment: Record<string, string>): Promise<RunningBot> {
  const port = await freePort();
  const config = loadConfig({ PORT: String(port), REDIS_URL: redisUrl, ...environment }, { stdoutIsTerminal: false });
  const log = new TextCollector();
  let stop: (signal: string) => void = () => undefined;
  const stopSignal = new Promise<string>((resolve) => (stop = resolve));
  const stopped = startCommand({ config, logger: createLogger({ level: 'info', destination: log }), roles: { schedule: true, work: false }, stopSignal });
  for (let attempt = 0; attempt < 150 && !log.text.includes('watching'); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  return { port, log, stop, stopped };
}

/** The warnings it logged, as their messages. */
export function loggedWarnings(log: TextCollector): string[] {
  return log.text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level === 40)
    .map((entry) => entry.msg);
}
