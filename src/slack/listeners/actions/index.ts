import type { App, BlockButtonAction } from '@slack/bolt';
import { estateStatus } from '../../../investigation/estate-status.js';
import { SERVICE_STATUS_ACTION_ID, statusMessage } from '../../blocks/status-message.js';
import type { SlackServices } from '../../slack-services.js';

export function register(app: App, services: SlackServices): void {
  // "Details" beside a service in the status overview: that service's status, to the clicker alone.
  app.action<BlockButtonAction>(SERVICE_STATUS_ACTION_ID, async ({ ack, action, respond }) => {
    await ack();
    const service = action.value ?? '';
    const message = statusMessage(await estateStatus(services.status), { service, now: services.now() });
    await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
  });
}
