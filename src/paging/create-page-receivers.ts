import { DEFAULT_PAGE_URLS, type PagingSettings } from '../paging-settings.js';
import { OpsgenieReceiver } from './opsgenie-receiver.js';
import type { PageReceiver } from './page-receiver.js';
import { PagerDutyReceiver } from './pagerduty-receiver.js';

/** The catalogue's receivers, by name, each with its key (config.ts checked that every one has one). */
export function createPageReceivers(paging: PagingSettings, keys: Readonly<Record<string, string>>): Map<string, PageReceiver> {
  const receivers = new Map<string, PageReceiver>();
  for (const [name, settings] of Object.entries(paging.receivers)) {
    const key = keys[name];
    if (key === undefined) throw new Error(`paging receiver ${name} has no key`);
    const url = settings.url ?? DEFAULT_PAGE_URLS[settings.type];
    receivers.set(name, settings.type === 'pagerduty' ? new PagerDutyReceiver(name, url, key) : new OpsgenieReceiver(name, url, key));
  }
  return receivers;
}
