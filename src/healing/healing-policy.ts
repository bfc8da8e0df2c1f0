import type { HealingSettings } from '../catalogue.js';
import type { ApprovalRule, FaultKind, ProposedAction } from '../remediation-vocabulary.js';
import { severityRank, type AlertSeverity } from '../severity.js';

/**
 * What the catalogue's policy asks before `action` runs in `namespace` for something this severe:
 * the first rule that matches, `approve` when none does. `auto` in a production namespace is read
 * as `approve` unless `autoInProduction` is set, whatever the rule says: the catalogue check
 * refuses such rules at load, and this holds for a catalogue built another way too. Pure.
 */
export function approvalRuleFor(settings: HealingSettings, action: ProposedAction, namespace: string, severity: AlertSeverity): ApprovalRule {
  const rule = settings.policy.find(
    (candidate) =>
      (candidate.action === '*' || candidate.action === action) &&
      (candidate.namespaces === undefined || candidate.namespaces.includes(namespace)) &&
      (candidate.minimumSeverity === undefined || severityRank(severity) >= severityRank(candidate.minimumSeverity)),
  );
  const decision = rule?.decision ?? 'approve';
  if (decision === 'auto' && settings.productionNamespaces.includes(namespace) && !settings.autoInProduction) return 'approve';
  return decision;
}

/** How many distinct approvers a rule needs; `auto` needs none and `forbidden` can never be met. */
export function approvalsNeeded(rule: ApprovalRule): number {
  return rule === 'auto' ? 0 : rule === 'approve' ? 1 : rule === 'approve-2' ? 2 : Number.POSITIVE_INFINITY;
}

/** The action the catalogue's rules propose for a diagnosed fault, or undefined (first match wins). */
export function actionForFault(settings: HealingSettings, fault: FaultKind, afterChange: boolean): ProposedAction | undefined {
  return settings.rules.find((rule) => rule.fault === fault && (rule.afterChange === undefined || rule.afterChange === afterChange))?.propose;
}

/** Who may approve in a namespace: the `"*"` list and the namespace's own. */
export function approversFor(settings: HealingSettings, namespace: string): string[] {
  const approvers = settings.approvers;
  return [...new Set([...(Object.hasOwn(approvers, '*') ? approvers['*']! : []), ...(Object.hasOwn(approvers, namespace) ? approvers[namespace]! : [])])];
}
