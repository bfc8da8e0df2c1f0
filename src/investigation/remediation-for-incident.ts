import type { Incident } from '../alerts/correlate.js';
import { deterministicAnswer, type AnswerDependencies } from './deterministic-answer.js';
import { remediationForAnswer, type RemediationSuggestion } from './remediation-for-answer.js';

/**
 * The root-cause engine's proposal for an incident: the engine asked about the incident's
 * services, as a thread question that names none would be, and the catalogue's healing rule for
 * the fault it diagnoses. No LLM takes part. Undefined when nothing fits.
 */
export async function remediationForIncident(incident: Pick<Incident, 'services'>, answers: AnswerDependencies): Promise<RemediationSuggestion | undefined> {
  if (incident.services.length === 0) return undefined;
  const answer = await deterministicAnswer('', [...incident.services], answers);
  return remediationForAnswer(answer, answers);
}
