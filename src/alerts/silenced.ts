import type { SilenceStore } from '../state/silence-store.js';
import type { Alert } from './alert.js';

/**
 * The alerts a silence does not cover. A firing alert is silenced by a silence on its service or
 * on its fingerprint, whichever source raised it, so "Silence 1h" quiets Alertmanager's alerts as
 * well as our detectors'. A resolve always passes: it ends something that may have begun before
 * the silence, and holding it back would keep an incident open for nothing.
 */
export async function withoutSilenced(alerts: readonly Alert[], silences: SilenceStore, now: number): Promise<{ kept: Alert[]; silenced: Alert[] }> {
  const firing = alerts.filter((alert) => alert.status === 'firing');
  // One round trip for the whole delivery: this runs before every webhook's alerts are stored.
  const covered = await silences.covered([...new Set(firing.flatMap((alert) => [alert.fingerprint, ...(alert.service === undefined ? [] : [alert.service])]))], now);
  const kept: Alert[] = [];
  const silenced: Alert[] = [];
  for (const alert of alerts) {
    const isSilenced = alert.status === 'firing' && (covered.has(alert.fingerprint) || (alert.service !== undefined && covered.has(alert.service)));
    (isSilenced ? silenced : kept).push(alert);
  }
  return { kept, silenced };
}
