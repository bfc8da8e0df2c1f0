import type { MetricSignal } from './metric-evidence.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';

/**
 * A service's own CPU or memory used as a share of its limit (`cpu_usage_rate` in %, `memory_utilisation`
 * as a ratio). Node-wide shares (`node_…`) describe the machine, not the service.
 */
const SHARE_OF_LIMIT = /^(?!node[_\-.])(.*[_\-.])?(cpu|memory|mem)[_\-.](usage[_\-.])?(rate|ratio|percent|pct|utili[sz]ation)$/i;

/**
 * Saturation, in the USE method's sense: a service that went from well below its limit to its limit
 * cannot do more work, and everything that calls it waits. A robust z cannot say this (a busy
 * service at 70% may move more z than an idle one pinned at 100%), so reaching the limit from under
 * half of it is evidence of its own, worth saturationBonus.
 */
export function saturationEvidence(signals: readonly MetricSignal[], options: ResolvedRankOptions): RootCauseEvidence | undefined {
  for (const signal of signals) {
    if (!SHARE_OF_LIMIT.test(signal.metric)) continue;
    const percent = /ratio|utili[sz]ation/i.test(signal.metric) ? 100 : 1;
    const observed = signal.observed * percent;
    const normal = signal.normal * percent;
    if (observed < SATURATED_PERCENT || normal > WELL_BELOW_PERCENT) continue;
    return { kind: 'metric', metric: signal.metric, summary: `${signal.metric} at ${Math.round(observed)}% of its limit (normally ${formatPercent(normal)}): saturated`, weight: options.saturationBonus, normal: signal.normal, observed: signal.observed };
  }
  return undefined;
}

const SATURATED_PERCENT = 90;
const WELL_BELOW_PERCENT = 50;

function formatPercent(value: number): string {
  return `${value < 10 ? value.toPrecision(2) : Math.round(value)}%`;
}
