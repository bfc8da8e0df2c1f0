import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresBinaries } from './postgres-server.js';

/**
 * What some tests need beyond a clone of this repository. On a developer's machine without it
 * they are skipped with one line saying why; `.ci/run` sets `AIOPS_TEST_REQUIRE=prometheus,datasets,kubectl,postgres`
 * so that there a missing requirement fails the run instead of hiding a broken test.
 */
export type Requirement = 'prometheus' | 'datasets' | 'kubectl' | 'postgres';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `../shared/datasets` beside the clone, where the benchmarks read it. */
export const DATASETS_PATH = resolve(REPOSITORY_ROOT, '..', 'shared', 'datasets');

const missing: Record<Requirement, () => string | undefined> = {
  prometheus: () => {
    for (const binary of ['promtool', 'prometheus']) {
      try {
        execFileSync(binary, ['--version'], { stdio: 'ignore' });
      } catch {
        return `${binary} is not on PATH (Debian: apt-get install --no-install-recommends prometheus; .ci/run installs it)`;
      }
    }
    return undefined;
  },
  datasets: () => (existsSync(resolve(DATASETS_PATH, 'nab')) ? undefined : `${DATASETS_PATH} is not beside the clone`),
  postgres: () => (postgresBinaries() ? undefined : 'PostgreSQL server programs are not under /usr/lib/postgresql (Debian: apt-get install postgresql)'),
  kubectl: () => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'kubectl is not on PATH (it renders kustomizations offline: `kubectl kustomize`)';
    }
  },
};

function required(): Set<string> {
  return new Set((process.env.AIOPS_TEST_REQUIRE ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}

/**
 * True when the tests needing `requirement` must be skipped here: it is missing and not required.
 * Throws when it is missing but required (CI), so the run fails with the reason.
 */
export function skipWithout(requirement: Requirement, what: string): boolean {
  const reason = missing[requirement]();
  if (reason === undefined) return false;
  if (required().has(requirement)) throw new Error(`${what}: ${reason}, and AIOPS_TEST_REQUIRE names ${requirement}`);
  console.warn(`skipped: ${what}: ${reason}`);
  return true;
}
