import { describe, expect, it } from 'vitest';
import { diagnoseFault, type FaultEvidence } from '../../src/rca/diagnose-fault.js';
import { faultAdvice } from '../../src/rca/fault-advice.js';
import type { ChangeContext } from '../../src/rca/root-cause-input.js';

const START = Date.UTC(2026, 10, 24, 14, 40);
const deploy = (service: string, from: string, to: string): ChangeContext => ({ service, kind: 'deploy', at: START, description: `${service} ${from} → ${to} (deploy ${service} ${to})` });
const signal = (metric: string, normal: number, current: number, zScore = 50) => ({ metric, normal, current, zScore });

function evidence(extra: Partial<FaultEvidence>): FaultEvidence {
  return { service: 'svc', signals: [], changes: [], events: [], logTemplates: [], ...extra };
}

/** Each fault kind from the evidence alone, and the advice it gets; the service names are deliberately neutral. */
describe('diagnoseFault and faultAdvice: advice by the kind of fault', () => {
  it('a null-pointer bug after a deploy is a code error: roll back the deploy that introduced it, nothing about connections or locks', () => {
    const diagnosis = diagnoseFault(
      evidence({
        signals: [signal('error_rate', 0.001, 0.3)],
        changes: [deploy('svc', '2.4.0', '2.5.0')],
        logTemplates: ['java.lang.NullPointerException: Cannot invoke "CardToken.value()" because "token" is null at com.shop.ChargeService.charge(<*>)'],
      }),
    );
    expect(diagnosis.kind).toBe('code-error');
    const advice = faultAdvice('svc', diagnosis, START).join('\n');
    expect(advice).toMatch(/^Roll svc back to the revision before 2\.5\.0, which introduced "java\.lang\.NullPointerException/);
    expect(advice).not.toMatch(/connections|locks|leak|scale/i);
  });

  it('a traffic surge is scaled out or rate-limited, never restarted for a leak', () => {
    const diagnosis = diagnoseFault(evidence({ signals: [signal('request_rate', 140, 510), signal('cpu', 0.7, 2.3), signal('error_rate', 0.001, 0.25)] }));
    expect(diagnosis).toMatchObject({ kind: 'traffic-surge', because: 'it serves 3.6 times its usual requests' });
    const advice = faultAdvice('svc', diagnosis).join('\n');
    expect(advice).toMatch(/Scale svc out/);
    expect(advice).toMatch(/rate-limit the source/);
    expect(advice).not.toMatch(/leak|restart|roll/i);
  });

  it('a crash loop after a config change is rolled back or its configuration fixed, not hunted as a leak', () => {
    const diagnosis = diagnoseFault(
      evidence({
        signals: [signal('restarts', 0, 4), signal('memory', 380e6, 50e6)],
        changes: [deploy('svc', '1.3.0', '1.4.0')],
        events: [{ service: 'svc', reason: 'BackOff', at: START + 60_000, count: 12, message: 'Back-off restarting failed container' }],
        logTemplates: ['Application startup failed: exiting with code <*>', 'FATAL config: required key CARRIER_API_URL is missing from <*>'],
      }),
    );
    // The line that says why (a missing key) is quoted, not the one that only says it exits.
    expect(diagnosis).toMatchObject({ kind: 'crash-loop', template: 'FATAL config: required key CARRIER_API_URL is missing from <*>' });
    expect(faultAdvice('svc', diagnosis)).toEqual(['Roll svc back to the revision before 1.4.0', 'Or fix what it fails on at start: "FATAL config: required key CARRIER_API_URL is missing from <*>"']);
  });

  it('a memory leak shipped in a deploy is rolled back; a restart only buys time', () => {
    const byMemory = diagnoseFault(evidence({ signals: [signal('memory', 548e6, 1.1e9)], changes: [deploy('svc', '3.1.0', '3.2.0')] }));
    expect(byMemory.kind).toBe('memory-leak');
    expect(faultAdvice('svc', byMemory)).toEqual(['Roll svc back to the revision before 3.2.0: the leak came with it', 'A rollout restart of svc only buys time until memory climbs again']);
    const byKills = diagnoseFault(evidence({ events: [{ service: 'svc', reason: 'OOMKilled', at: START, count: 3, message: 'svc-1: OOMKilled, 3 restarts' }], signals: [signal('restarts', 0, 1)] }));
    expect(byKills).toMatchObject({ kind: 'memory-leak', because: 'its containers were OOMKilled ×3' });
    expect(faultAdvice('svc', byKills)[0]).toBe('Restart svc (rollout restart) to buy time before it reaches its memory limit');
  });

  it('a memory spike that has passed (a rollout counting old and new pods) is no leak', () => {
    const diagnosis = diagnoseFault(evidence({ signals: [signal('memory', 376e6, 392e6, 40)], changes: [deploy('svc', '2.4.0', '2.5.0')] }));
    expect(diagnosis.kind).toBe('bad-deploy');
    expect(faultAdvice('svc', diagnosis)).toEqual(['Roll svc back to the revision before 2.5.0']);
  });

  it('an exhausted connection pool is restarted and its size checked', () => {
    const diagnosis = diagnoseFault(evidence({ signals: [signal('latency_p95', 0.0095, 0.6)], logTemplates: ['FATAL: sorry, too many clients already (max_connections=<*>)'] }));
    expect(diagnosis.kind).toBe('connection-pool-exhaustion');
    const advice = faultAdvice('svc', diagnosis).join('\n');
    expect(advice).toMatch(/^Restart svc \(rollout restart\) to free its connections/);
    expect(advice).toMatch(/pool size/);
  });

  it('a dependency that is only slow is looked at itself', () => {
    const diagnosis = diagnoseFault(evidence({ signals: [signal('latency_p95', 0.0048, 0.12)], logTemplates: ['WARNING: slow command: <*> ms for GET <*>'] }));
    expect(diagnosis.kind).toBe('slow-dependency');
    expect(faultAdvice('svc', diagnosis)[0]).toBe('Look at svc itself: its callers are slow because they wait for it');
  });

  it('says so when nothing tells the kind of fault, and points at the logs', () => {
    const diagnosis = diagnoseFault(evidence({ signals: [signal('error_rate', 0.001, 0.02)] }));
    expect(diagnosis.kind).toBe('unknown');
    expect(faultAdvice('svc', diagnosis, START)).toEqual(["Read svc's error logs and dashboards from 14:40 UTC"]);
  });
});
