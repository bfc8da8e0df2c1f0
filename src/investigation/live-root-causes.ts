import type { RankRootCauses } from '../agent/tools/rank-root-causes.js';
import { FAULT_NAMES, faultAdvice } from '../rca/fault-advice.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import { collectRootCauseInput } from './collect-root-cause-input.js';
import type { AnswerDependencies } from './deterministic-answer.js';
import { explainSuspect } from './explain-suspect.js';
import { calmNamed, observeScope, symptomIn } from './observe-scope.js';

/** Candidates whose logs the tool quotes. */
const CANDIDATES_EXPLAINED = 3;

/**
 * The root-cause engine over the live sources, as the agent's rank_root_causes tool calls it: the
 * services asked about and everything they call (and their callers, when they are merely busy),
 * dated by the anomalies detection recorded there or the metrics show against the hour before;
 * with the first candidate's kind of fault, the advice it calls for, and the candidates' new error logs.
 */
export function liveRootCauses(dependencies: AnswerDependencies): RankRootCauses {
  return async (services) => {
    const now = dependencies.now();
    const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
    const observed = await observeScope(dependencies, services, now);
    const { anomalies } = observed;
    const { input, problems } = await collectRootCauseInput(observed.services, dependencies, {
      now,
      anomalies,
      symptom: services.length === 1 ? symptomIn(services, anomalies) : undefined,
      series: observed.series,
    });
    const { ranking } = rankRootCauses(input);
    // With nothing in anomaly the engine still orders services by how much they moved; a model must not read that as a cause.
    const caveats = [
      ...(anomalies.length === 0 ? [`Detection raised no anomaly on these services in the last ${windowMinutes} minutes, and their metrics show none against the hour before: the ranking below orders ordinary fluctuation and names no fault.`] : []),
      ...(anomalies.length === 0 ? [] : calmNamed(observed, services, now).map((line) => `${line}; the ranking below is of what is wrong around it.`)),
      ...[...new Set([...observed.series.problems, ...problems])].map((problem) => `Could not read ${problem}: the ranking rests on the other evidence.`),
    ];
    const top = ranking[0];
    const explained = anomalies.length > 0 && top ? await explainSuspect(top.service, ranking.slice(0, CANDIDATES_EXPLAINED), input, dependencies.logs, now) : undefined;
    return {
      ranking,
      anomalyStart: input.anomalyStart,
      ...(caveats.length > 0 ? { caveat: caveats.join('\n') } : {}),
      ...(explained && top
        ? {
            diagnosis: `${top.service}: ${FAULT_NAMES[explained.diagnosis.kind]} (${explained.diagnosis.because}); the engine's advice: ${faultAdvice(top.service, explained.diagnosis, input.anomalyStart).join('; ')}`,
            logEvidence: explained.logLines,
          }
        : {}),
    };
  };
}
