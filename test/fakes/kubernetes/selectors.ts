import { isJsonObject, valueAt, type JsonObject } from './json-patch.js';

/**
 * Label selectors as the API server reads them: comma-separated requirements, each `key=value`,
 * `key==value`, `key!=value`, `key` (exists) or `!key` (absent). Set-based forms (`in`, `notin`)
 * are not needed by the adapter and answer 400 so a test cannot pass by accident.
 */
export function matchesLabelSelector(object: JsonObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = labelsOf(object);
  return splitRequirements(selector).every((requirement) => {
    if (/\s(in|notin)\s/.test(requirement)) throw new SelectorError(`unsupported set-based label selector "${requirement}"`);
    const inequality = /^([^!=]+)!=(.*)$/.exec(requirement);
    if (inequality) return labels[(inequality[1] ?? '').trim()] !== (inequality[2] ?? '').trim();
    const equality = /^([^!=]+)==?(.*)$/.exec(requirement);
    if (equality) return labels[(equality[1] ?? '').trim()] === (equality[2] ?? '').trim();
    if (requirement.startsWith('!')) return !(requirement.slice(1).trim() in labels);
    return requirement in labels;
  });
}

/**
 * Field selectors: `path=value` or `path!=value` where path is dotted (`involvedObject.name`,
 * `metadata.name`, `status.phase`), the way the API server spells them.
 */
export function matchesFieldSelector(object: JsonObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return splitRequirements(selector).every((requirement) => {
    const match = /^([^!=]+)(!=|==|=)(.*)$/.exec(requirement);
    if (!match) throw new SelectorError(`invalid field selector "${requirement}"`);
    const [, path = '', operator, expected = ''] = match;
    const actual = valueAt(object, `/${path.trim().split('.').join('/')}`);
    const equal = String(actual ?? '') === expected.trim();
    return operator === '!=' ? !equal : equal;
  });
}

export class SelectorError extends Error {}

function splitRequirements(selector: string): string[] {
  return selector
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function labelsOf(object: JsonObject): Record<string, string> {
  const labels = valueAt(object, '/metadata/labels');
  const result: Record<string, string> = {};
  if (isJsonObject(labels)) {
    for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') result[key] = value;
  }
  return result;
}
