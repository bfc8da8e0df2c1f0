import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { asObject, type Json } from './json-shapes.js';
import { REPOSITORY_ROOT } from './repository-files.js';

/** `kubectl kustomize <directory>`: the objects a `kubectl apply -k` would send, parsed. */
export function kustomizeBuild(directory: string): Json[] {
  const output = execFileSync('kubectl', ['kustomize', directory], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => asObject(document.toJS())).filter((object) => Object.keys(object).length > 0);
}
