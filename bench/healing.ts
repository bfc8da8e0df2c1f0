/**
 * Healing on every simulated scenario: what the root-cause engine proposes for an incident
 * (the catalogue's healing rules, default configuration, no LLM), how soon after the fault starts,
 * whether the action's own checks and the dry run accept it, and whether running it brings the
 * root cause's errors and latency back and ends the fault. The product's code path (remediationForIncident, planRemediation, the actions) on the
 * simulated cluster; Redis, Slack and the approval click are left out.
 *
 *   npm run bench:healing
 *
 * The engine is told the incident spans every catalogued service (it is not told the root cause);
 * it reads the anomalies from the metrics against the hour before, as `aiops ask` does with no
 * detection state. The scenario's ground truth (its root cause and the write that ends it) is read
 * only to score, after the action ran.
 */
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../src/catalogue.js';
import { REMEDIATION_ACTIONS } from '../src/healing/remediation-actions.js';
import { remediationText } from '../src/healing/remediation-text.js';
import { planRemediation } from '../src/healing/remediation-plans.js';
import type { AnswerDependencies } from '../src/investigation/deterministic-answer.js';
import { remediationForIncident } from '../src/investigation/remediation-for-incident.js';
import { ManualClock } from '../src/sources/sim/clock.js';
import type { MetricsSource } from '../src/sources/metrics.js';
import { SCENARIOS } from '../src/sources/sim/scenarios.js';
import { createSimulatedSources } from '../src/sources/sim/simulated-world.js';

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 15, 0);
/** When the engine is asked, minutes after the fault starts: an incident's thread asks again as it changes. */
const ASKED_AT = [2, 4, 6, 8, 10, 15, 20, 30];
/** How long after the action the fault is looked at. */
const AFTER_MINUTES = 20;

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const services = Object.keys(catalogue.services);
interface Row {
  scenario: string;
  proposal: string;
  minute: number | undefined;
  accepted: string;
  faultEnded: boolean;
  symptomsBack: boolean;
  rightService: boolean;
  milliseconds: number;
}
const rows: Row[] = [];
for (const scenario of SCENARIOS) {
  let row: Row = { scenario: scenario.name, proposal: 'none', minute: undefined, accepted: '-', faultEnded: false, symptomsBack: false, rightService: false, milliseconds: 0 };
  for (const minute of ASKED_AT) {
    const clock = new ManualClock(FAULT_START + minute * MINUTE);
    const sources = createSimulatedSources(catalogue, { clock, seed: 21, scenario: scenario.name, faultStart: FAULT_START });
    const answers: AnswerDependencies = { catalogue, cluster: sources.cluster, metrics: sources.metrics, logs: sources.logs, anomalies: { since: async () => [] }, now: () => clock.now() };
    const started = performance.now();
    const suggestion = await remediationForIncident({ services }, answers);
    const milliseconds = performance.now() - started;
    if (!suggestion) continue;
    const planned = await planRemediation(suggestion.request, sources.cluster, clock.now());
    const action = REMEDIATION_ACTIONS.get(suggestion.request.action)!;
    let accepted = planned.ok ? 'yes' : `no: ${planned.problem}`;
    if (planned.ok) {
      try {
        await action.preview(planned.plan, sources.cluster);
        await action.execute(planned.plan, sources.cluster, clock.now());
      } catch (error) {
        accepted = `no: ${(error as Error).message}`;
      }
    }
    clock.advance(AFTER_MINUTES * MINUTE);
    const symptomsBack = await symptomsRecovered(sources.metrics, scenario.rootCause, clock.now());
    row = {
      scenario: scenario.name,
      proposal: remediationText(planned.ok ? planned.plan.request : suggestion.request),
      minute,
      accepted,
      faultEnded: !sources.world.faultActiveAt(clock.now()),
      symptomsBack,
      rightService: suggestion.request.service === scenario.rootCause,
      milliseconds,
    };
    break;
  }
  rows.push(row);
}

const yes = (value: boolean) => (value ? 'yes' : 'no');
console.log(`| scenario | proposed (first time asked) | minute | checks + dry run | right service | symptoms back ${AFTER_MINUTES} min later | fault ended | engine ms |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.scenario} | ${row.proposal} | ${row.minute ?? '-'} | ${row.accepted} | ${yes(row.rightService)} | ${yes(row.symptomsBack)} | ${yes(row.faultEnded)} | ${row.milliseconds.toFixed(0)} |`);
}
const proposed = rows.filter((row) => row.minute !== undefined).length;
console.log(`\nproposed for ${proposed}/${rows.length} scenarios; on the root cause ${rows.filter((row) => row.rightService).length}/${rows.length}; accepted by the checks ${rows.filter((row) => row.accepted === 'yes').length}/${rows.length}; symptoms back ${rows.filter((row) => row.symptomsBack).length}/${rows.length}; the fault ended ${rows.filter((row) => row.faultEnded).length}/${rows.length}`);

/**
 * The root cause's errors and p95 latency back near where they were before the fault: errors at
 * most one point above, latency at most 1.5 times. (A surge keeps coming after a scale-out, and a
 * leak regrows after a restart: the symptoms can be back while the fault is not over.)
 */
async function symptomsRecovered(metrics: MetricsSource, service: string, at: number): Promise<boolean> {
  const value = async (signal: 'error_rate' | 'latency_p95', time: number) => (await metrics.instant(service, signal, new Date(time))) ?? Number.NaN;
  const before = FAULT_START - 5 * MINUTE;
  return (await value('error_rate', at)) <= (await value('error_rate', before)) + 0.01 && (await value('latency_p95', at)) <= 1.5 * (await value('latency_p95', before));
}
