import Ajv from 'ajv';
import { read } from './repository-files.js';

export const VALUES_SCHEMA_PATH = 'deploy/helm/aiops/values.schema.json';

/**
 * Ajv 6, already installed with eslint and kubernetes-models (not a dependency of its own),
 * validates JSON Schema draft-07 by default, the draft Helm's validator reads; `allErrors` so one
 * run names every mistake, as `helm install` does.
 */
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(read(VALUES_SCHEMA_PATH)) as object);

/** What is wrong with chart values by values.schema.json, one line each (`.bot.replicas should be integer`); empty when they match. */
export function valuesSchemaProblems(values: unknown): string[] {
  if (validate(values)) return [];
  return (validate.errors ?? []).map((error) => `${error.dataPath || '(root)'} ${error.message ?? 'is invalid'}${'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`);
}
