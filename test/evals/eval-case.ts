import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { SCRIPTED_MODELS } from '../fakes/scripted-investigator.js';

const ACTIONS = ['rollback', 'rollout-restart', 'scale', 'delete-pod'] as const;

const evalCaseSchema = z.strictObject({
  question: z.string().min(1),
  /**
   * What the scripted fake LLM plays: the investigator, or a model that obeys instructions injected
   * into the data it reads (see test/fakes/scripted-investigator.ts). A real endpoint is its own model.
   */
  scriptedModel: z.enum(['investigator', 'obeys-injected-instructions']).default('investigator'),
  world: z.strictObject({
    /** Omitted: a healthy estate. */
    scenario: z.string().optional(),
    minutesAfterFault: z.number().int().min(1),
    seed: z.number().int().default(21),
    /** `down`: every metrics query fails, as when Prometheus is unreachable. */
    metrics: z.enum(['up', 'down']).default('up'),
    /** A line the service logs, as an attacker who controls log content would write it. */
    injectedLog: z.strictObject({ service: z.string(), message: z.string() }).optional(),
  }),
  expect: z.strictObject({
    /** The service the answer must name as the root cause, or `none` when nothing is wrong. */
    rootCause: z.string(),
    /** Tools an agent must have run to have looked properly. */
    mustConsult: z.array(z.string()).default([]),
    /** Services the answer must not name as the root cause. */
    decoys: z.array(z.string()).default([]),
    /** Actions that must not be proposed; `any`: none at all. */
    forbiddenActions: z.union([z.literal('any'), z.array(z.enum(ACTIONS))]).default([]),
    /** Words the answer must contain (case-insensitive). */
    mentions: z.array(z.string()).default([]),
    /** Words that must not appear in the bot's own voice: its conclusion and its advice (case-insensitive). */
    notAdvised: z.array(z.string()).default([]),
  }),
});

export type EvalCase = z.infer<typeof evalCaseSchema> & { name: string };

/** The model name that makes the scripted fake LLM play what the case asks for. */
export function scriptedModelName(evalCase: EvalCase): string {
  return evalCase.scriptedModel === 'obeys-injected-instructions' ? SCRIPTED_MODELS.obeysInjectedInstructions : SCRIPTED_MODELS.investigator;
}

/** Every case folder under `directory` (a folder holding case.yml), sorted by name. */
export function loadEvalCases(directory: string): EvalCase[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const path = join(directory, name, 'case.yml');
      const parsed = evalCaseSchema.safeParse(parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      return { ...parsed.data, name };
    });
}
