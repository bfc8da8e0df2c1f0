import type { EscalationRule } from '../catalogue.js';
import { maximumSeverity, severityRank, type AlertSeverity } from '../severity.js';
import type { Incident } from './correlate.js';

export interface EscalationFacts {
  /** Whether someone has acknowledged the incident. */
  acknowledged: boolean;
  now: number;
}

/**
 * The catalogue's escalation rules whose conditions an open incident meets now. Every condition
 * a rule names must hold; a rule without a severity floor applies to every severity. Pure: the
 * caller remembers which rules already fired, so each one calls people once per incident.
 */
export function escalationsDue(incident: Incident, rules: readonly EscalationRule[], facts: EscalationFacts): EscalationRule[] {
  if (incident.status !== 'open') return [];
  return rules.filter(
    (rule) =>
      severityRank(incident.severity) >= severityRank(rule.minimumSeverity) &&
      (rule.unacknowledgedFor === undefined || (!facts.acknowledged && facts.now - incident.firstSeen >= rule.unacknowledgedFor)) &&
      (rule.minimumServices === undefined || incident.services.length >= rule.minimumServices),
  );
}

/** The severity an incident is shown and paged with: its own, raised by the rules that fired for it. */
export function escalatedSeverity(incident: Incident, fired: readonly EscalationRule[]): AlertSeverity {
  return fired.reduce<AlertSeverity>((severity, rule) => (rule.raiseTo ? maximumSeverity(severity, rule.raiseTo) : severity), incident.severity);
}

/** The catalogue's rules among those recorded as fired for an incident (by name), in the catalogue's order. */
export function firedRules(names: readonly string[], rules: readonly EscalationRule[]): EscalationRule[] {
  const fired = new Set(names);
  return rules.filter((rule) => fired.has(rule.name));
}
