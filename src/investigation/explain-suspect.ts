import { diagnoseFault, type FaultDiagnosis } from '../rca/diagnose-fault.js';
import type { RootCauseInput, RankedCause } from '../rca/root-cause-input.js';
import type { LogSource } from '../sources/logs.js';
import { median } from '../rca/robust-z.js';
import { logEvidenceLines, readLogEvidence } from './log-evidence.js';

export interface SuspectExplanation {
  diagnosis: FaultDiagnosis;
  /** The top error templates of the candidates, with counts, one line each. */
  logLines: string[];
  /** Sources that could not be read. */
  problems: string[];
}

/** A change this long before the start may still be what caused the trouble (the engine's own look-back). */
const CHANGE_LOOKBACK_MILLISECONDS = 30 * 60_000;
const FINDING_TEMPLATES = 3;
/** What a signal is "now": its median over the last minutes, so a passing extreme does not name the fault. */
const CURRENT_MILLISECONDS = 5 * 60_000;

/**
 * Why the suspect went wrong and what its logs say: the error templates each candidate logs since
 * the trouble started (read from the log source, or from log mining's findings without one), and
 * the kind of fault the suspect's evidence describes, which chooses the advice.
 */
export async function explainSuspect(suspect: string, candidates: readonly RankedCause[], input: RootCauseInput, logs: LogSource | undefined, now: number): Promise<SuspectExplanation> {
  const window = { normalStart: input.normalStart ?? input.anomalyStart - 3_600_000, anomalyStart: input.anomalyStart, now };
  const problems = new Set<string>();
  const services = [...new Set([suspect, ...candidates.map((candidate) => candidate.service)])];
  const perService = await Promise.all(
    services.map(async (service) => {
      if (logs) {
        try {
          const evidence = await readLogEvidence(logs, service, window);
          return { service, templates: evidence.templates.map((template) => template.template), lines: logEvidenceLines(evidence) };
        } catch (error) {
          problems.add(`logs: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      // Without a readable log source, what log mining found is the log evidence.
      const findings = (input.logs ?? []).filter((log) => log.service === service && log.error).sort((left, right) => right.count - left.count).slice(0, FINDING_TEMPLATES);
      return { service, templates: findings.map((finding) => finding.template), lines: findings.map((finding) => `${service}: ${finding.count} error lines "${finding.template}" (${finding.kind.replace(/-/g, ' ')})`) };
    }),
  );
  const ofSuspect = perService.find((entry) => entry.service === suspect)!;
  const ranked = candidates.find((candidate) => candidate.service === suspect);
  const diagnosis = diagnoseFault({
    service: suspect,
    signals: (ranked?.evidence ?? []).flatMap((evidence) => {
      if (evidence.kind !== 'metric' || evidence.metric === undefined || evidence.normal === undefined || evidence.zScore === undefined) return [];
      const current = currentLevel(input, suspect, evidence.metric, now);
      return current === undefined ? [] : [{ metric: evidence.metric, normal: evidence.normal, current, zScore: evidence.zScore }];
    }),
    changes: (input.changes ?? []).filter((change) => change.service === suspect && change.at >= input.anomalyStart - CHANGE_LOOKBACK_MILLISECONDS && change.at <= now).sort((left, right) => right.at - left.at),
    events: (input.events ?? []).filter((event) => event.service === suspect),
    logTemplates: ofSuspect.templates,
  });
  return { diagnosis, logLines: perService.flatMap((entry) => entry.lines), problems: [...problems] };
}

/** The median of a signal's samples over the last minutes; undefined without any. */
function currentLevel(input: RootCauseInput, service: string, metric: string, now: number): number | undefined {
  const series = input.series.find((candidate) => candidate.service === service && candidate.metric === metric);
  if (!series) return undefined;
  const recent = series.values.filter((value, index) => series.timestamps[index]! >= now - CURRENT_MILLISECONDS && Number.isFinite(value));
  return recent.length === 0 ? undefined : median(recent);
}
