import type { IncidentGroup } from './incident.js';

/**
 * Where people see an Alertmanager group, every alert of it (those a notification left out too):
 * Alertmanager's alert list at its externalURL, filtered to the group's labels and receiver, as
 * its own notification templates link. Undefined without an http(s) externalURL.
 */
export function alertmanagerGroupUrl(group: IncidentGroup): string | undefined {
  if (group.externalURL === undefined || !/^https?:\/\//i.test(group.externalURL)) return undefined;
  const matchers = Object.keys(group.labels)
    .sort()
    .map((name) => `${name}="${group.labels[name]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  const parameters = [`receiver=${encodeURIComponent(group.receiver)}`, ...(matchers.length > 0 ? [`filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`] : [])];
  return `${group.externalURL.replace(/\/+$/, '')}/#/alerts?${parameters.join('&')}`;
}
