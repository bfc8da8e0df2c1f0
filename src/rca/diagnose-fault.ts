import type { ChangeContext, EventContext } from './root-cause-input.js';
import { redactedExcerpt } from '../redact-secrets.js';
import type { FaultKind } from '../remediation-vocabulary.js';

export type { FaultKind } from '../remediation-vocabulary.js';

/** What is known about the suspect: how its signals moved, what was done to it, what Kubernetes and its logs say. */
export interface FaultEvidence {
  service: string;
  /**
   * Its signals: the normal level, the level now (the last minutes, not a passing extreme) and the
   * robust z of the incident's most extreme sample (the engine's metric evidence).
   */
  signals: ReadonlyArray<{ metric: string; normal: number; current: number; zScore: number }>;
  /** Changes to it around the start (deploys, config edits, restarts), newest first. */
  changes: readonly ChangeContext[];
  /** Kubernetes warnings and container exits (OOMKilled, CrashLoopBackOff…). */
  events: readonly EventContext[];
  /** Error templates it logs since the trouble started that it did not (or far less) before, most lines first. */
  logTemplates: readonly string[];
}

export interface FaultDiagnosis {
  kind: FaultKind;
  /** Why, as a short clause for people: "OOMKilled ×3", "request_rate x2.4 its normal", 'its logs say "FATAL: sorry, too many clients already"'. */
  because: string;
  /** The deploy or config change the fault came with, when there is one. */
  change?: ChangeContext;
  /** The log template that tells the fault, when one does. */
  template?: string;
}

/** Log lines quoted in the reason are cut here. */
const QUOTED_CHARACTERS = 80;
/** A signal moved when its robust z reaches this and the change is large by the rules below. */
const MOVED_Z = 5;

const OUT_OF_MEMORY = /OutOfMemory|out of memory|heap space|GC overhead|\bOOM/i;
const BAD_CONFIGURATION = /missing (?:key|config|setting|variable)|required (?:key|setting|variable)|config(?:uration)? (?:error|invalid|not found)|FATAL config|invalid (?:config|setting)/i;
const FAILS_TO_START = /startup failed|failed to start|exit(?:ing|ed)? with (?:code|status)|no such file/i;
const POOL_EXHAUSTED = /too many (?:clients|connections)|connection slots|max_connections|pool (?:exhausted|timeout)|acquir\w* (?:a )?connection|no (?:available|free|idle) connections?|connection pool/i;
const CODE_FAILURE = /Exception\b|\bpanic:|nil pointer|null ?pointer|undefined is not|TypeError|Traceback|stack trace|segmentation fault|\bat [\w$.]+\([\w$]+\.\w+:/i;

/**
 * The kind of fault the evidence describes, so the advice fits it: a leak is rolled back (a
 * restart only buys time), a surge is scaled out, an exhausted pool is restarted and resized, a
 * slow dependency is looked at itself, a code error is rolled back to before the deploy that
 * brought it. Read from what was observed (events, log templates, which signals moved, what
 * changed), first the most specific: Kubernetes' own verdicts and telling log lines, then the
 * shape of the metrics, then a deploy alone. Pure.
 */
export function diagnoseFault(evidence: FaultEvidence): FaultDiagnosis {
  const change = evidence.changes.find((item) => item.kind === 'deploy' || item.kind === 'config');
  const withChange = change ? { change } : {};
  const template = (pattern: RegExp) => evidence.logTemplates.find((line) => pattern.test(line));
  const says = (line: string) => `its logs say "${redactedExcerpt(line, QUOTED_CHARACTERS)}"`;
  const event = (pattern: RegExp) => evidence.events.find((item) => pattern.test(item.reason));
  const signal = (metric: string) => evidence.signals.find((item) => item.metric === metric && item.zScore >= MOVED_Z);
  const times = (item: EventContext) => (item.count > 1 ? ` ×${item.count}` : '');
  const ratio = (item: { normal: number; current: number }) => (item.normal > 0 ? item.current / item.normal : Number.POSITIVE_INFINITY);

  const oomKilled = event(/^OOMKill/i);
  if (oomKilled) return { kind: 'memory-leak', because: `its containers were OOMKilled${times(oomKilled)}`, ...withChange };
  const outOfMemory = template(OUT_OF_MEMORY);
  if (outOfMemory) return { kind: 'memory-leak', because: says(outOfMemory), template: outOfMemory, ...withChange };

  const crashLoop = event(/CrashLoopBackOff|^BackOff$/i);
  // The line that says why it fails (a missing key) tells more than the one that says it exits.
  const failsToStart = template(BAD_CONFIGURATION) ?? template(FAILS_TO_START);
  const restarts = signal('restarts');
  if (crashLoop || failsToStart || (restarts && restarts.current >= 1)) {
    const because = failsToStart ? says(failsToStart) : crashLoop ? `its pods are in ${crashLoop.reason}${times(crashLoop)}` : 'its containers keep restarting';
    return { kind: 'crash-loop', because, ...(failsToStart ? { template: failsToStart } : {}), ...withChange };
  }

  const poolExhausted = template(POOL_EXHAUSTED);
  if (poolExhausted) return { kind: 'connection-pool-exhaustion', because: says(poolExhausted), template: poolExhausted, ...withChange };

  const load = signal('request_rate');
  if (load && ratio(load) >= 1.5) return { kind: 'traffic-surge', because: `it serves ${describeRatio(ratio(load))} its usual requests`, ...withChange };

  const memory = signal('memory');
  if (memory && ratio(memory) >= 1.4) return { kind: 'memory-leak', because: `its memory grew to ${describeRatio(ratio(memory))} its usual`, ...withChange };

  const codeFailure = template(CODE_FAILURE);
  if (codeFailure) return { kind: 'code-error', because: says(codeFailure), template: codeFailure, ...withChange };

  if (change) return { kind: 'bad-deploy', because: `it went wrong after ${change.description}`, change };

  const latency = signal('latency_p95');
  const errors = signal('error_rate');
  if (latency && ratio(latency) >= 2 && !(errors && errors.current - errors.normal >= 0.05)) {
    return { kind: 'slow-dependency', because: `it answers ${describeRatio(ratio(latency))} slower than usual while its own load is steady` };
  }
  const errorTemplate = evidence.logTemplates[0];
  return { kind: 'unknown', because: errorTemplate ? says(errorTemplate) : 'no single sign tells the kind of fault', ...(errorTemplate ? { template: errorTemplate } : {}) };
}

function describeRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'many times';
  return `${ratio >= 10 ? Math.round(ratio) : Math.round(ratio * 10) / 10} times`;
}
