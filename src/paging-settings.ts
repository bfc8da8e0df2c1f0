import { z } from 'zod';
import { ALERT_SEVERITIES, type AlertSeverity } from './severity.js';

/** The paging services a receiver can be. */
export const PAGE_RECEIVER_TYPES = ['pagerduty', 'opsgenie'] as const;
export type PageReceiverType = (typeof PAGE_RECEIVER_TYPES)[number];

/** Where each type sends when the catalogue gives no `url` (their US endpoints; the EU ones go in `url`). */
export const DEFAULT_PAGE_URLS: Readonly<Record<PageReceiverType, string>> = {
  pagerduty: 'https://events.pagerduty.com/v2/enqueue',
  opsgenie: 'https://api.opsgenie.com',
};

const severity = z.enum(ALERT_SEVERITIES as [AlertSeverity, ...AlertSeverity[]]);

/** An http(s) URL: another scheme is refused at start-up, since it would be shown to people as a link. */
export const httpUrl = z.string().refine(
  (value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'expected a URL starting with https:// (or http://)' },
);

/** The key is a secret, so it never sits in the catalogue (a ConfigMap): it comes from AIOPS_PAGING_KEY_<NAME> (see pagingKeyVariable). */
const receiverSchema = z.strictObject({
  type: z.enum(PAGE_RECEIVER_TYPES),
  /**
   * PagerDuty: the Events API v2 enqueue URL (EU: https://events.eu.pagerduty.com/v2/enqueue).
   * Opsgenie: the API's base URL (EU: https://api.eu.opsgenie.com). Default: the US endpoints.
   */
  url: httpUrl.optional(),
});

/** Incidents this route matches page its receiver: every condition it names must hold. */
const routeSchema = z.strictObject({
  receiver: z.string().min(1, 'expected the name of a receiver under paging.receivers'),
  /** Default critical: a page wakes someone. */
  minimumSeverity: severity.default('critical'),
  /** Only incidents touching one of these catalogued services; absent, any (service-less incidents included). */
  services: z.array(z.string()).min(1, 'expected at least one service, or no services key').optional(),
  /** Only incidents touching a service these teams own; absent, any. */
  teams: z.array(z.string()).min(1, 'expected at least one team, or no teams key').optional(),
});

export const pagingSchema = z.strictObject({
  receivers: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase name of letters, digits and dashes, like payments-pagerduty'), receiverSchema).default({}),
  routes: z.array(routeSchema).default([]),
});

export type PagingSettings = z.infer<typeof pagingSchema>;
export type PageRoute = PagingSettings['routes'][number];
export type PageReceiverSettings = PagingSettings['receivers'][string];

/** The environment variable holding a receiver's key: PagerDuty's integration (routing) key, Opsgenie's API key. */
export function pagingKeyVariable(receiver: string): string {
  return `AIOPS_PAGING_KEY_${receiver.toUpperCase().replace(/-/g, '_')}`;
}

/** Whether the catalogue pages anyone: only then do incident changes wait for the pager in Redis. */
export function pagingConfigured(paging: PagingSettings | undefined): boolean {
  return paging !== undefined && Object.keys(paging.receivers).length > 0;
}
