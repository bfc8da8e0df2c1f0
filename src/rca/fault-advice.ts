import type { FaultDiagnosis, FaultKind } from './diagnose-fault.js';
import type { ChangeContext } from './root-cause-input.js';
import { redactedExcerpt } from '../redact-secrets.js';

/** What each kind of fault is called in an answer: "Likely fault: a memory leak". */
export const FAULT_NAMES: Readonly<Record<FaultKind, string>> = {
  'memory-leak': 'a memory leak',
  'crash-loop': 'a crash loop',
  'connection-pool-exhaustion': 'connection-pool exhaustion',
  'traffic-surge': 'a traffic surge',
  'code-error': 'a code error',
  'slow-dependency': 'a slow dependency',
  'bad-deploy': 'a bad deploy',
  unknown: 'not clear from the evidence',
};

/** Log lines quoted in advice are cut here: enough to recognise, short enough for a Slack line. */
const QUOTED_CHARACTERS = 80;

/**
 * What to do about the fault, one line each, first the step that ends it: chosen by the kind of
 * fault, never by what the scenario or the service is called. `since` is when the trouble started.
 */
export function faultAdvice(service: string, diagnosis: FaultDiagnosis, since?: number): string[] {
  const rollBack = diagnosis.change ? rollBackLine(service, diagnosis.change) : undefined;
  const quoted = diagnosis.template ? `"${cut(diagnosis.template)}"` : undefined;
  const from = since === undefined ? 'since the trouble started' : `from ${new Date(since).toISOString().slice(11, 16)} UTC`;
  switch (diagnosis.kind) {
    case 'memory-leak':
      return rollBack
        ? [`${rollBack}: the leak came with it`, `A rollout restart of ${service} only buys time until memory climbs again`]
        : [`Restart ${service} (rollout restart) to buy time before it reaches its memory limit`, `Then look for the leak in what changed in ${service} before its memory began to climb`];
    case 'crash-loop':
      return [
        ...(rollBack ? [rollBack] : []),
        quoted ? `${rollBack ? 'Or fix' : 'Fix'} what it fails on at start: ${quoted}` : `${rollBack ? 'Or fix' : 'Fix'} what makes ${service} exit at start: its pods' last termination reason and logs tell`,
      ];
    case 'connection-pool-exhaustion':
      return [
        `Restart ${service} (rollout restart) to free its connections`,
        `Check its connection pool size (max_connections) against what its callers open, and what holds connections (long-running queries or transactions)`,
      ];
    case 'traffic-surge':
      return [`Scale ${service} out (more replicas) if the extra load is legitimate`, `Otherwise rate-limit the source of the surge: find which caller or client sends it`];
    case 'code-error':
      return rollBack
        ? [`${rollBack}, which introduced ${quoted ?? 'the errors'}`]
        : [`Find the change that made ${service} log ${quoted ?? 'these errors'} ${from} (code, config, a feature flag, data) and revert it`];
    case 'slow-dependency':
      return [
        `Look at ${service} itself: its callers are slow because they wait for it`,
        `Check the node it runs on (a noisy neighbour, CPU throttling, disk) and restart it (rollout restart) so it is rescheduled elsewhere`,
      ];
    case 'bad-deploy':
      return [rollBack ?? `Roll ${service} back to its previous revision`];
    case 'unknown':
      return [`Read ${service}'s error logs and dashboards ${from}${quoted ? `, starting with ${quoted}` : ''}`];
  }
}

/** "Roll payment back to the revision before 2.5.0", from a change described as "payment 2.4.0 → 2.5.0 (…)". */
function rollBackLine(service: string, change: ChangeContext): string {
  if (change.kind === 'config') return `Revert the configuration change to ${service} (${cut(change.description)})`;
  const version = change.description.split(' (')[0]!.split(' → ')[1];
  return `Roll ${service} back to the revision before ${version ?? 'the deploy'}`;
}

function cut(text: string): string {
  return redactedExcerpt(text, QUOTED_CHARACTERS);
}
