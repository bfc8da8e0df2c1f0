import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const ACTIONS = ['rollback', 'rollout-restart', 'scale', 'delete-pod'] as const;

const evalCaseSchema = z.strictObject({
  question: z.string().min(1),
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
  }),
});

export type EvalCase = z.infer<typeof evalCaseSchema> & { name: string };

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
