import { describe, expect, it } from 'vitest';
import { burstScoreOf, errorsWithMetricAnomalies, newTemplates, templateBursts, type BucketInput } from '../../src/logs/log-anomalies.js';
import type { TemplateCounts, TemplateDetails } from '../../src/logs/template-counts.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 5, 10, 0, 0);

const DETAILS = new Map<string, TemplateDetails>([
  ['t1', { template: 'Charge <*> authorised amount=<*> EUR', level: 'info', example: 'Charge 1a2b authorised amount=12.50 EUR', firstSeen: START }],
  ['t2', { template: 'Refund <*> processed', level: 'info', example: 'Refund 9f processed', firstSeen: START }],
  ['t3', { template: 'Charge <*> declined by issuer: insufficient funds', level: 'error', example: 'Charge 77 declined by issuer: insufficient funds', firstSeen: START }],
  ['t4', { template: 'java.lang.NullPointerException at ChargeService.java:<*>', level: 'error', example: 'java.lang.NullPointerException at ChargeService.java:118', firstSeen: START + 60 * MINUTE }],
  ['t5', { template: 'Cache warmed in <*> ms', level: 'debug', example: 'Cache warmed in 12 ms', firstSeen: START + 60 * MINUTE }],
]);

/** An hour of quiet minutes: t1 about 100 a minute (±5), t2 about 3, t3 now and then. */
function quietHour(): TemplateCounts[] {
  return Array.from({ length: 60 }, (_, index) => ({
    bucketStart: START + index * MINUTE,
    counts: { t1: 95 + (index % 11), t2: 2 + (index % 3), ...(index % 7 === 0 ? { t3: 1 } : {}) },
  }));
}

function inputFor(counts: Record<string, number>, baseline = quietHour()): BucketInput {
  return { service: 'payment', bucket: { bucketStart: START + 60 * MINUTE, counts }, baseline, seen: new Set(['t1', 't2', 't3']), details: DETAILS };
}

describe('newTemplates', () => {
  it('flags a template never seen before with its count, level and an example line', () => {
    const findings = newTemplates(inputFor({ t1: 100, t2: 3, t4: 42 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'new-template',
      service: 'payment',
      templateId: 't4',
      level: 'error',
      count: 42,
      bucketStart: START + 60 * MINUTE,
      example: 'java.lang.NullPointerException at ChargeService.java:118',
      id: `log:new-template:payment:t4:${START + 60 * MINUTE}`,
    });
  });

  it('flags nothing while the baseline is too short: on a first run everything is new', () => {
    expect(newTemplates(inputFor({ t4: 42 }, quietHour().slice(0, 10)))).toEqual([]);
    expect(newTemplates(inputFor({ t4: 42 }, quietHour().slice(0, 10)), { minimumBaselineBuckets: 5 })).toHaveLength(1);
  });

  it('leaves out new templates below the minimum level', () => {
    const findings = newTemplates(inputFor({ t4: 2, t5: 50 }), { newTemplateMinimumLevel: 'warn' });
    expect(findings.map((finding) => finding.templateId)).toEqual(['t4']);
  });
});

describe('templateBursts', () => {
  it('flags a known template far above its robust baseline, with the baseline as evidence', () => {
    const findings = templateBursts(inputFor({ t1: 102, t2: 40, t3: 1 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'burst', templateId: 't2', count: 40, baseline: { median: 3, buckets: 60 } });
    expect(findings[0]!.score).toBeGreaterThan(6);
    expect(findings[0]!.summary).toContain('usually 3');
  });

  it('ignores ordinary variation of a busy template and a doubling of traffic', () => {
    expect(templateBursts(inputFor({ t1: 110 }))).toEqual([]);
    // 2x is a robust z of ~20 for t1 but not 3x the usual: traffic grew, nothing broke.
    expect(templateBursts(inputFor({ t1: 200 }))).toEqual([]);
    expect(templateBursts(inputFor({ t1: 400 }))).toHaveLength(1);
  });

  it('needs a minimum count, so a usually silent template writing a few lines is not a burst', () => {
    expect(templateBursts(inputFor({ t3: 6 }))).toEqual([]);
    expect(templateBursts(inputFor({ t3: 12 }))).toHaveLength(1);
  });

  it('is not fooled by an earlier burst inside the baseline (median and MAD, not mean and deviation)', () => {
    const baseline = quietHour();
    for (let index = 20; index < 25; index += 1) baseline[index]!.counts.t2 = 300;
    expect(templateBursts(inputFor({ t2: 40 }, baseline))).toHaveLength(1);
  });

  it('reports a template never seen as new, not as a burst', () => {
    expect(templateBursts(inputFor({ t4: 500 }))).toEqual([]);
  });

  it('floors the spread at the Poisson deviation, so a constant template needs a real jump', () => {
    expect(burstScoreOf(110, { median: 100, spread: 0, buckets: 60 })).toBeCloseTo(1, 5);
    expect(burstScoreOf(5, { median: 0, spread: 0, buckets: 60 })).toBe(5);
  });
});

describe('errorsWithMetricAnomalies', () => {
  const anomaly = { id: 'anomaly-1', evidence: { start: START + 60 * MINUTE + 15_000, end: START + 64 * MINUTE } };

  function window(counts: Record<string, number>): TemplateCounts[] {
    return Array.from({ length: 6 }, (_, index) => ({ bucketStart: START + (60 + index) * MINUTE, counts }));
  }

  it('lists error templates writing well above their usual rate during the anomaly, most lifted first', () => {
    const findings = errorsWithMetricAnomalies({
      service: 'payment',
      buckets: window({ t1: 100, t3: 2, t4: 30 }),
      baseline: quietHour(),
      details: DETAILS,
      anomalies: [anomaly],
    });
    // Buckets 60..64 overlap the window: 5 buckets. t3 usually ~0.14 a minute: 10 lines is x14; t4 never: 150 lines.
    expect(findings.map((finding) => [finding.templateId, finding.count])).toEqual([
      ['t4', 150],
      ['t3', 10],
    ]);
    expect(findings[0]).toMatchObject({ kind: 'error-with-anomaly', anomalyId: 'anomaly-1', level: 'error', bucketStart: START + 60 * MINUTE });
  });

  it('leaves out info templates and errors at their usual rate', () => {
    const baseline = quietHour().map((bucket) => ({ ...bucket, counts: { ...bucket.counts, t3: 2 } }));
    const findings = errorsWithMetricAnomalies({ service: 'payment', buckets: window({ t1: 900, t3: 2 }), baseline, details: DETAILS, anomalies: [anomaly] });
    expect(findings).toEqual([]);
  });
});
