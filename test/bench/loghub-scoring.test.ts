import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvRows, scoreParse } from '../../bench/loghub-scoring.js';

const line = (trueEvent: string, predictedGroup: string, trueTemplate = trueEvent, predictedTemplate = predictedGroup) => ({ trueEvent, trueTemplate, predictedGroup, predictedTemplate });

describe('Loghub scores', () => {
  it('a perfect parse scores 1 everywhere', () => {
    const score = scoreParse([line('A', 'x', 'a', 'a'), line('A', 'x', 'a', 'a'), line('B', 'y', 'b', 'b')]);
    expect(score).toEqual({ groupingAccuracy: 1, groupingF1: 1, parsingAccuracy: 1, predictedGroups: 2, trueGroups: 2 });
  });

  it('a merged group makes all its lines wrong (GA) and the group wrong (FGA)', () => {
    // True groups A={0,1}, B={2}, C={3}; predicted x={0,1,2}, z={3}: only C is found.
    const score = scoreParse([line('A', 'x'), line('A', 'x'), line('B', 'x'), line('C', 'z')]);
    expect(score.groupingAccuracy).toBe(0.25);
    expect(score.groupingF1).toBeCloseTo((2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3));
  });

  it('a split group makes its lines wrong', () => {
    const score = scoreParse([line('A', 'x'), line('A', 'y'), line('B', 'z')]);
    expect(score.groupingAccuracy).toBeCloseTo(1 / 3);
    expect(score.groupingF1).toBeCloseTo((2 * (1 / 3) * 0.5) / (1 / 3 + 0.5));
  });

  it('PA compares template strings exactly, whatever the grouping', () => {
    const score = scoreParse([line('A', 'x', 'open <*>', 'open <*>'), line('A', 'y', 'open <*>', 'open <*> '), line('B', 'x', 'x', 'x')]);
    expect(score.parsingAccuracy).toBeCloseTo(2 / 3);
    expect(score.groupingAccuracy).toBe(0);
  });

  it('reads quoted CSV cells', () => {
    expect(parseCsvRows('line,event_id,template\n1,E25,"<*> ""GET <*>"", status"\r\n')).toEqual([
      ['line', 'event_id', 'template'],
      ['1', 'E25', '<*> "GET <*>", status'],
    ]);
  });
});

describe('bench:loghub', () => {
  // The bench's first table claims to score the product's path: if the CLI or the log-mining jobs
  // ever pass the miner options (masks from the catalogue, say), the bench must pass the same.
  it('mines with the configuration the product uses: new TemplateMiner() without options', () => {
    const constructions = (path: string): string[] => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8').match(/new TemplateMiner\([^)]*\)/g) ?? [];
    expect(constructions('src/commands/logs.ts')).toEqual(['new TemplateMiner()']);
    expect(constructions('src/jobs/log-miners.ts')).toEqual(['new TemplateMiner()']);
    expect(constructions('bench/loghub.ts')).toContain('new TemplateMiner()');
  });
});
