import type { Answer } from '../../src/investigation/answer.js';
import type { EvalCase } from './eval-case.js';

export interface EvalOutcome {
  case: string;
  passed: boolean;
  /** What went wrong, one line each; empty when it passed. */
  failures: string[];
}

/**
 * Rule-based grading of a finished answer and what was posted (the Slack message's text): the named root cause, the decoys ruled out, the
 * evidence consulted (agent runs), the actions not proposed and the words it must say.
 */
export function grade(evalCase: EvalCase, answer: Answer, posted: string, toolsRun: readonly string[] | undefined): EvalOutcome {
  const failures: string[] = [];
  const expected = evalCase.expect;
  const named = answer.suspect ?? 'none';
  if (named !== expected.rootCause) failures.push(`root cause: expected ${expected.rootCause}, answered ${named}`);
  for (const decoy of expected.decoys) if (answer.suspect === decoy) failures.push(`named the decoy ${decoy}`);
  if (toolsRun) for (const tool of expected.mustConsult) if (!toolsRun.includes(tool)) failures.push(`did not consult ${tool}`);
  const proposed = (answer.proposals ?? []).map((proposal) => proposal.action);
  const forbidden = expected.forbiddenActions === 'any' ? proposed : proposed.filter((action) => (expected.forbiddenActions as string[]).includes(action));
  if (forbidden.length > 0) failures.push(`proposed forbidden actions: ${forbidden.join(', ')}`);
  for (const word of expected.mentions) if (!posted.toLowerCase().includes(word.toLowerCase())) failures.push(`the posted answer does not mention "${word}"`);
  return { case: evalCase.name, passed: failures.length === 0, failures };
}
