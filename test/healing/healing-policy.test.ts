import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_HEALING_RULES, EXAMPLE_CATALOGUE_PATH, parseCatalogue, type HealingPolicyRule, type HealingSettings } from '../../src/catalogue.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { actionForFault, approvalRuleFor, approvalsNeeded, approversFor } from '../../src/healing/healing-policy.js';
import { testRedis } from '../support/test-redis.js';
import { auditActions, catalogue, cleanUp, HEALING_DEFAULTS, harness, noticesOf, proposal, request } from './healing-harness.js';

/** What the catalogue's healing policy asks before an action runs, and what the catalogue refuses to load. */

const { redis } = await testRedis();
afterEach(() => cleanUp(redis));
afterAll(() => redis.disconnect());

function settings(policy: HealingPolicyRule[], extra: Partial<HealingSettings> = {}): HealingSettings {
  return { ...catalogue.healing, ...HEALING_DEFAULTS, policy, productionNamespaces: ['prod'], ...extra };
}

describe('approvalRuleFor', () => {
  it('takes the first rule that matches, not the strictest', () => {
    const policy: HealingPolicyRule[] = [
      { action: 'scale', namespaces: ['shop'], decision: 'auto' },
      { action: '*', namespaces: ['shop'], decision: 'forbidden' },
      { action: 'scale', decision: 'approve-2' },
    ];
    expect(approvalRuleFor(settings(policy), 'scale', 'shop', 'critical')).toBe('auto');
    expect(approvalRuleFor(settings(policy), 'rollback', 'shop', 'critical')).toBe('forbidden');
    expect(approvalRuleFor(settings(policy), 'scale', 'staging', 'critical')).toBe('approve-2');
  });

  it('asks for one approval when no rule matches, and by severity only from minimumSeverity up', () => {
    const policy: HealingPolicyRule[] = [{ action: 'rollback', minimumSeverity: 'critical', decision: 'approve-2' }];
    expect(approvalRuleFor(settings([]), 'rollback', 'shop', 'critical')).toBe('approve');
    expect(approvalRuleFor(settings(policy), 'rollback', 'shop', 'critical')).toBe('approve-2');
    expect(approvalRuleFor(settings(policy), 'rollback', 'shop', 'warning')).toBe('approve');
    expect(approvalRuleFor(settings(policy), 'scale', 'shop', 'critical')).toBe('approve');
  });

  it('reads a wide auto rule as approve in a production namespace unless autoInProduction', () => {
    const wide: HealingPolicyRule[] = [{ action: '*', decision: 'auto' }];
    expect(approvalRuleFor(settings(wide), 'scale', 'prod', 'critical')).toBe('approve');
    expect(approvalRuleFor(settings(wide), 'scale', 'shop', 'critical')).toBe('auto');
    expect(approvalRuleFor(settings(wide, { autoInProduction: true }), 'scale', 'prod', 'critical')).toBe('auto');
  });

  it('needs 0, 1, 2 or never enough approvals', () => {
    expect([approvalsNeeded('auto'), approvalsNeeded('approve'), approvalsNeeded('approve-2'), approvalsNeeded('forbidden')]).toEqual([0, 1, 2, Number.POSITIVE_INFINITY]);
  });

  it('lets the "*" approvers and the namespace\'s own approve there, nobody else', () => {
    const approvers = { '*': ['S0SRE'], shop: ['U0ALICE', 'S0SRE'] };
    expect(approversFor(settings([], { approvers }), 'shop')).toEqual(['S0SRE', 'U0ALICE']);
    expect(approversFor(settings([], { approvers }), 'billing')).toEqual(['S0SRE']);
    expect(approversFor(settings([], { approvers: { shop: ['U0ALICE'] } }), 'constructor')).toEqual([]);
  });

  it('proposes by fault, the first rule whose afterChange fits', () => {
    const rules = settings([], { rules: DEFAULT_HEALING_RULES });
    expect(actionForFault(rules, 'bad-deploy', true)).toBe('rollback');
    expect(actionForFault(rules, 'crash-loop', true)).toBe('rollback');
    expect(actionForFault(rules, 'crash-loop', false)).toBeUndefined();
    expect(actionForFault(rules, 'traffic-surge', false)).toBe('scale');
    expect(actionForFault(settings([], { rules: [{ fault: 'traffic-surge', propose: 'rollout-restart' }, ...DEFAULT_HEALING_RULES] }), 'traffic-surge', false)).toBe('rollout-restart');
  });
});

describe('the catalogue refuses auto in production at load', () => {
  // The example catalogue with its healing section replaced by `yaml` (indented under `healing:`).
  const example = parse(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as Record<string, unknown>;
  const withHealing = (yaml: string) => stringify({ ...example, healing: parse(yaml.replace(/^ {2}/gm, '')) });
  function loadError(text: string): AiopsError {
    try {
      parseCatalogue(text, 'catalogue.yml');
    } catch (error) {
      if (error instanceof AiopsError) return error;
      throw error;
    }
    throw new Error('expected the catalogue to be refused');
  }

  it('loads the example with a healing section added (the control)', () => {
    const loaded = parseCatalogue(withHealing('  productionNamespaces: [shop]\n  policy:\n    - { action: scale, namespaces: [staging], decision: auto }\n'), 'catalogue.yml');
    expect(loaded.healing.policy).toEqual([{ action: 'scale', namespaces: ['staging'], decision: 'auto' }]);
    expect(loaded.healing.requestExpiry).toBe(15 * 60_000);
  });

  it('refuses decision auto naming a production namespace, with the path and one line', () => {
    const error = loadError(withHealing('  productionNamespaces: [shop]\n  policy:\n    - { action: scale, namespaces: [shop], decision: auto }\n'));
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
    expect(error.message).toMatch(/^catalogue\.yml: healing\.policy\[0\]\.decision: auto in production namespace shop/);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a wide auto rule too once production namespaces are named (every namespace includes them)', () => {
    expect(loadError(withHealing('  productionNamespaces: [shop]\n  policy:\n    - { action: "*", decision: auto }\n')).message).toMatch(/healing\.policy\[0\]\.decision: auto in production namespace shop/);
  });

  it('accepts it with autoInProduction: true', () => {
    const loaded = parseCatalogue(withHealing('  productionNamespaces: [shop]\n  autoInProduction: true\n  policy:\n    - { action: scale, namespaces: [shop], decision: auto }\n'), 'catalogue.yml');
    expect(loaded.healing.autoInProduction).toBe(true);
  });
});

describe('policy in Healing.propose', () => {
  it('forbidden: refused with one line, nothing recorded, the refusal audited and told', async () => {
    const h = harness(redis, { scenario: 'bad-deploy', healing: { policy: [{ action: 'rollback', namespaces: ['shop'], decision: 'forbidden' }] } });
    const outcome = await h.healing.propose(proposal(request('rollback', 'payment')));
    expect(outcome).toEqual({ ok: false, problem: "the catalogue's healing.policy forbids rollback in namespace shop" });
    expect(await h.requests.recent(0)).toEqual([]);
    expect(await auditActions(h)).toEqual(['healing-propose-refused']);
    expect(noticesOf(h, 'not-proposed')).toHaveLength(1);
    expect(noticesOf(h, 'requested')).toHaveLength(0);
    expect(h.jobs.executed).toEqual([]);
  });

  it('auto outside production: approved by aiops and run at once without anyone', async () => {
    const h = harness(redis, { scenario: 'traffic-surge', runExecuteJobs: true, healing: { policy: [{ action: 'scale', decision: 'auto' }] } });
    const before = await h.cluster.getDeployment('shop', 'catalogue');
    const outcome = await h.healing.propose(proposal(request('scale', 'catalogue', { replicas: before.replicas * 2 })));
    expect(outcome).toMatchObject({ ok: true, created: true, record: { rule: 'auto', approvals: [{ by: 'aiops' }] } });
    expect((await h.cluster.getDeployment('shop', 'catalogue')).replicas).toBe(before.replicas * 2);
    expect(await auditActions(h)).toEqual(['healing-propose', 'healing-approve', 'healing-execute']);
  });

  it('a wide auto rule in a production namespace waits for a person', async () => {
    const h = harness(redis, { scenario: 'traffic-surge', runExecuteJobs: true, healing: { productionNamespaces: ['shop'], policy: [{ action: '*', decision: 'auto' }] } });
    const before = await h.cluster.getDeployment('shop', 'catalogue');
    const outcome = await h.healing.propose(proposal(request('scale', 'catalogue', { replicas: before.replicas * 2 })));
    expect(outcome).toMatchObject({ ok: true, record: { rule: 'approve', status: 'pending', approvals: [] } });
    expect(h.jobs.executed).toEqual([]);
    expect(h.writes).toEqual([]);
  });
});
