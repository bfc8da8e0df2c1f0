import { runCli } from '../../src/cli.js';
import { WEBHOOK_TOKEN } from './alertmanager-webhook.js';
import { createHarness } from './cli-harness.js';

export interface InProcessBot {
  stop: (signal: string) => void;
  /** The exit code `aiops start` returns once stopped. */
  exited: Promise<number>;
}

/**
 * `aiops start` in this process, in HTTP mode against a fake Slack, with the webhook's token
 * (WEBHOOK_TOKEN, which postAlertmanagerWebhook sends) and nothing else from the environment but
 * what `environment` adds or overrides; resolves once /healthz answers (or after 10 s, leaving the test to say what failed).
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
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await fetch(`http://127.0.0.1:${settings.port}/healthz`).then((response) => response.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { stop: harness.stop, exited };
}
