import type { App } from '@slack/bolt';
import { register } from '../../src/slack/listeners/commands/index.js';
import type { SlackServices } from '../../src/slack/slack-services.js';

/** Says `/aiops <text>` as a user, and returns what they were told, ephemerally: each reply's text, then its blocks as JSON. */
export type SlashCommand = (text: string, user: string) => Promise<string>;

/**
 * The `/aiops` command listener as Bolt calls it, registered on these services, in channel C0OPS.
 * A public post (an `ask`) is acknowledged and not recorded; the replies are what the user sees.
 */
export function slashCommand(services: SlackServices): SlashCommand {
  let handler: ((arguments_: Record<string, unknown>) => Promise<void>) | undefined;
  const app = { command: (_name: string, registered: typeof handler) => void (handler = registered) } as unknown as App;
  register(app, services);
  return async (text, user) => {
    const told: string[] = [];
    const client = {
      chat: {
        postMessage: async () => ({ ok: true, ts: '1.000001' }),
        postEphemeral: async (message: { text: string; blocks?: unknown[] }) => {
          told.push(`${message.text}\n${JSON.stringify(message.blocks ?? [])}`);
          return { ok: true };
        },
      },
    };
    await handler!({ ack: async () => undefined, command: { text, user_id: user, channel_id: 'C0OPS' }, client, respond: async () => undefined });
    return told.join('\n');
  };
}
