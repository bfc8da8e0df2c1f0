import { runCli } from '../../src/cli.js';
import { WEBHOOK_TOKEN } from './alertmanager-webhook.js';
import { createHarness } from './cli-harness.js';

const STARTUP_DEADLINE_MILLISECONDS = 60_000;

export interface InProcessBot {
  stop: (signal: string) => void;
  /** The exit code `aiops start` returns once stopped. */
  exited: Promise<number>;
}

/**
 * `aiops start` in this process, in HTTP mode against a fake Slack, with the webhook's token
 * (WEBHOOK_TOKEN, which postAlertmanagerWebhook sends) and nothing else from the environment but
 * what `environment` adds or overrides; resolves once /healthz answers, throws if it has not within a minute.
 */
export async function startInProcessBot(settings: { slackApiUrl: string; botToken: string; signingSecret: string; port: number; redisUrl: string; environment?: Record<string, string> }): Promise<InProcessBot> {
  const harness = createHarness({
    SLACK_BOT_TOKEN: settings.botToken,
    SLACK_SIGNING_SECRET: settings.signingSecret,
    SLACK_API_URL: settings.slackApiUrl,
    PORT: String(settings.port),
    REDIS_URL: settings.redisUrl,
    LOG_LEVEL: 'fatal',
    ALERTMANAGER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    ...settings.environment,
  });
  const exited = runCli(['start'], harness.context);
  // Generous: under CI's load (two test forks on two cores) compiling and starting the bot has taken over 10 s.
  const deadline = Date.now() + STARTUP_DEADLINE_MILLISECONDS;
  while (!(await fetch(`http://127.0.0.1:${settings.port}/healthz`).then((response) => response.ok, () => false))) {
    if (Date.now() > deadline) {
      harness.stop('SIGTERM');
      throw new Error(`aiops start did not answer /healthz on port ${settings.port} within ${STARTUP_DEADLINE_MILLISECONDS / 1000} s; its stderr: ${harness.stderr.text.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { stop: harness.stop, exited };
}
