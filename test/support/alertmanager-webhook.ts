/**
 * The webhook's bearer token in tests: the bot refuses every delivery without one, so the bots the
 * tests start set it (startInProcessBot does) and every post here carries it.
 */
export const WEBHOOK_TOKEN = 'test-alertmanager-webhook-token';

/** `Authorization: Bearer <WEBHOOK_TOKEN>`, for tests that post to the webhook themselves. */
export const WEBHOOK_AUTHORIZATION = { authorization: `Bearer ${WEBHOOK_TOKEN}` } as const;

/** The labels the README's route groups by. */
const GROUP_BY = ['alertname', 'service'] as const;

/**
 * POSTs alerts to the bot's Alertmanager endpoint as a version 4 webhook, the way Alertmanager does:
 * one notification of one group, with the bearer token. The group is the one a route with `group_by: [alertname, service]`
 * would have put them in (the labels of those the alerts share), since the bot keeps a group's
 * alerts in one incident.
 */
export function postAlertmanagerWebhook(port: number, alerts: Array<Record<string, unknown>>): Promise<Response> {
  const labelsOf = (alert: Record<string, unknown>) => (alert.labels ?? {}) as Record<string, string>;
  const groupLabels: Record<string, string> = {};
  for (const name of GROUP_BY) {
    const value = alerts.length > 0 ? labelsOf(alerts[0]!)[name] : undefined;
    if (value !== undefined && alerts.every((alert) => labelsOf(alert)[name] === value)) groupLabels[name] = value;
  }
  const groupKey = `{}:{${Object.entries(groupLabels).map(([name, value]) => `${name}="${value}"`).join(',')}}`;
  return fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION },
    body: JSON.stringify({ version: '4', groupKey, status: 'firing', receiver: 'aiops', groupLabels, commonLabels: groupLabels, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts }),
  });
}
