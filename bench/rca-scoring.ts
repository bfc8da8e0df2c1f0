/**
 * Scores root-cause rankings as `../shared/datasets/rca/README.md` defines: the ranking is reduced to
 * distinct services (first position kept), rank = 1-based position of the true root cause (∞ when
 * absent or missing), AC@k = share of cases with rank ≤ k, Avg@5 = mean of AC@1..AC@5. With mergeDb a
 * `-db` suffix is stripped first (RCAEval's folding). Only this file reads truth.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CaseTruth {
  rootCause: string;
  /** The fault type (sock-shop, nezha-tt), or for sets that name none the symptom's metric ("latency target", petshop-dev). */
  fault: string;
}

export function readTruth(caseDirectory: string): CaseTruth {
  const truth = JSON.parse(readFileSync(join(caseDirectory, 'truth.json'), 'utf8')) as { root_cause: string; fault?: string; target_metric?: string };
  return { rootCause: truth.root_cause, fault: truth.fault ?? (truth.target_metric ? `${truth.target_metric} target` : 'unknown') };
}

function foldDb(service: string): string {
  return service.endsWith('-db') ? service.slice(0, -'-db'.length) : service;
}

/** 1-based rank of the root cause among distinct services, Infinity when absent. */
export function rootCauseRank(services: readonly string[] | undefined, rootCause: string, mergeDb: boolean): number {
  if (!services) return Number.POSITIVE_INFINITY;
  const name = (service: string): string => (mergeDb ? foldDb(service) : service);
  const distinct = [...new Set(services.map(name))];
  const position = distinct.indexOf(name(rootCause));
  return position < 0 ? Number.POSITIVE_INFINITY : position + 1;
}

export interface AccuracyScores {
  cases: number;
  missing: number;
  /** acAt[k - 1] = AC@k for k = 1..5. */
  acAt: number[];
  avgAt5: number;
}

export function accuracy(ranks: readonly number[], missing = 0): AccuracyScores {
  const acAt = [1, 2, 3, 4, 5].map((k) => (ranks.length === 0 ? 0 : ranks.filter((rank) => rank <= k).length / ranks.length));
  return { cases: ranks.length, missing, acAt, avgAt5: acAt.reduce((sum, value) => sum + value, 0) / acAt.length };
}
