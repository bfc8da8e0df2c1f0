/** POSTs alerts to the bot's Alertmanager endpoint as a version 4 webhook, the way Alertmanager does. */
export function postAlertmanagerWebhook(port: number, alerts: Array<Record<string, unknown>>): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4', groupKey: 'g', status: 'firing', receiver: 'aiops', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts }),
  });
}
