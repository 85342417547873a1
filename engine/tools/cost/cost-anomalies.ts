// Hours whose spend jumps far above the window's usual hourly spend.
import { HOUR_MS } from '../../profile/derive.js';
import { percentileOfSorted, sortedCopy } from '../../profile/distribution.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { formatUsd, insightFinding, type Tool } from '../shared.js';

const MIN_HOURS = 24;
const SPIKE_FACTOR = 3;
const MIN_EXCESS_SHARE = 0.01;

/** Hourly series over every hour of the window (empty hours = 0), total and per feature. */
function hourlySeries(profile: WorkloadProfile) {
  const start = Math.floor(profile.window.from / HOUR_MS) * HOUR_MS;
  const n = Math.max(0, Math.ceil((profile.window.to - start) / HOUR_MS));
  const total = new Float64Array(n);
  const byFeature = new Map<string, Float64Array>();
  for (const b of profile.hours) {
    const i = Math.floor((b.hour - start) / HOUR_MS);
    if (i < 0 || i >= n) continue;
    total[i]! += b.cost_nanousd;
    let f = byFeature.get(b.feature);
    if (!f) byFeature.set(b.feature, (f = new Float64Array(n)));
    f[i]! += b.cost_nanousd;
  }
  return { start, total, byFeature };
}

export const costAnomalies: Tool = {
  id: 'cost_anomalies',
  family: 'cost',
  description: 'Spike hours whose spend exceeds 3× the median hour, grouped into runs and attributed to a feature.',
  run(profile) {
    const { start, total, byFeature } = hourlySeries(profile);
    if (total.length < MIN_HOURS) return [];
    let baseline = percentileOfSorted(sortedCopy(total), 500) ?? 0;
    if (baseline === 0) baseline = percentileOfSorted(sortedCopy(total.filter((v) => v > 0)), 500) ?? 0;
    if (baseline <= 0) return [];
    const minExcess = MIN_EXCESS_SHARE * profile.totals.cost_nanousd;
    const isSpike = (v: number) => v > SPIKE_FACTOR * baseline && v - baseline >= minExcess;
    const featureMedian = new Map([...byFeature].map(([f, s]) => [f, percentileOfSorted(sortedCopy(s), 500) ?? 0]));

    const findings = [];
    for (let i = 0; i < total.length; i++) {
      if (!isSpike(total[i]!)) continue;
      let j = i;
      while (j + 1 < total.length && isSpike(total[j + 1]!)) j++;
      const hours = j - i + 1;
      let spend = 0;
      for (let h = i; h <= j; h++) spend += total[h]!;
      const excess = spend - hours * baseline;
      let top = '';
      let topExcess = -Infinity;
      for (const [feature, series] of [...byFeature].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        let s = 0;
        for (let h = i; h <= j; h++) s += series[h]!;
        const e = s - hours * featureMedian.get(feature)!;
        if (e > topExcess) [top, topExcess] = [feature, e];
      }
      const from = new Date(start + i * HOUR_MS).toISOString();
      const to = new Date(start + (j + 1) * HOUR_MS).toISOString();
      findings.push(
        insightFinding(
          {
            tool: 'cost_anomalies',
            family: 'cost',
            title: `Spend spike ${from.slice(0, 13)}h (${hours} h)`,
            summary: `${formatUsd(spend)} spent in ${hours} h against a usual ${formatUsd(baseline)}/h; ${top || '(untagged)'} drove most of the ${formatUsd(excess)} excess.`,
            where: top ? { group: `hours:${from}/${to}`, feature: top } : { group: `hours:${from}/${to}` },
            calls_affected: profile.hours.filter((b) => b.hour >= start + i * HOUR_MS && b.hour < start + (j + 1) * HOUR_MS).reduce((a, b) => a + b.calls, 0),
            confidence: 'high',
            risk: 'low',
            evidence: { from, to, hours, spend_nanousd: Math.round(spend), baseline_nanousd_per_hour: Math.round(baseline), excess_nanousd: Math.round(excess), top_feature: top },
            recommendation: 'Check what ran in those hours (deploy, loop, backfill) and put a budget alert on the feature.',
          },
          profile,
        ),
      );
      i = j;
    }
    return findings;
  },
};
