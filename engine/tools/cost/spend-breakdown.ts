// Where the money goes: spend by provider, model and feature.
import { monthlyBasis, monthlyUsd } from '../../monthly-basis.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { formatUsd, insightFinding, ratio, type Tool } from '../shared.js';

const TOP = 20;

interface Share {
  name: string;
  calls: number;
  cost_nanousd: number;
  share_pct: number;
}

function shares(groups: Map<string, { calls: number; cost: number }>, total: number): Share[] {
  return [...groups.entries()]
    .map(([name, g]) => ({ name, calls: g.calls, cost_nanousd: g.cost, share_pct: Math.round(ratio(g.cost, total) * 10_000) / 100 }))
    .sort((a, b) => b.cost_nanousd - a.cost_nanousd || (a.name < b.name ? -1 : 1))
    .slice(0, TOP);
}

function groupBy<T extends { calls: number; cost_nanousd: number }>(items: readonly T[], key: (t: T) => string) {
  const m = new Map<string, { calls: number; cost: number }>();
  for (const it of items) {
    const g = m.get(key(it)) ?? { calls: 0, cost: 0 };
    g.calls += it.calls;
    g.cost += it.cost_nanousd;
    m.set(key(it), g);
  }
  return m;
}

export const spendBreakdown: Tool = {
  id: 'spend_breakdown',
  family: 'cost',
  description: 'Spend by provider, model and feature over the window, with shares and the monthly run-rate.',
  run(profile: WorkloadProfile) {
    const t = profile.totals;
    if (t.calls === 0) return [];
    const byProvider = shares(groupBy(profile.models, (m) => m.provider), t.cost_nanousd);
    const byModel = shares(groupBy(profile.models, (m) => `${m.provider}/${m.model}`), t.cost_nanousd);
    const byFeature = shares(groupBy(profile.segments, (s) => s.feature || '(untagged)'), t.cost_nanousd);
    const monthly = monthlyUsd(profile, t.cost_nanousd);
    const top = byModel[0];
    return [
      insightFinding(
        {
          tool: 'spend_breakdown',
          family: 'cost',
          title: 'Spend breakdown',
          summary:
            `${formatUsd(t.cost_nanousd)} over ${monthlyBasis(profile).days.toFixed(1)} days of traffic (≈ $${monthly.toFixed(2)}/month) across ${t.calls} calls` +
            (top ? `; ${top.name} is ${top.share_pct}% of it.` : '.'),
          where: { group: 'all' },
          calls_affected: t.calls,
          confidence: 'high',
          risk: 'low',
          evidence: {
            total_cost_nanousd: t.cost_nanousd,
            cost_usd_month: monthly,
            by_provider: byProvider,
            by_model: byModel,
            by_feature: byFeature,
          },
          recommendation: 'Start with the largest model and feature shares: the savings below are ranked by the same money.',
        },
        profile,
      ),
    ];
  },
};
