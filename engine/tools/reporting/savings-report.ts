// The savings report: every saving finding combined in LEVERS order, never double counted.
import { pctOf } from '../../findings.js';
import { monthlyUsd } from '../../monthly-basis.js';
import { formatUsd, insightFinding, type Tool } from '../shared.js';
import { combineSavings } from './combine.js';

const TOP_SEGMENTS = 20;

export const savingsReport: Tool = {
  id: 'savings_report',
  family: 'reporting',
  description: 'Combined saving of all saving findings, levers applied in LEVERS order on the residual cost.',
  run(profile, ctx) {
    if (profile.totals.calls === 0) return [];
    const c = combineSavings(ctx.findings, profile);
    const monthly = monthlyUsd(profile, c.combined_saving_nanousd);
    return [
      insightFinding(
        {
          tool: 'savings_report',
          family: 'reporting',
          title: 'Savings report',
          summary: `Applied together, the recommendations save ${formatUsd(c.combined_saving_nanousd)} of ${formatUsd(profile.totals.cost_nanousd)} in the window (${pctOf(c.combined_saving_nanousd, profile.totals.cost_nanousd)}%, ≈ $${monthly.toFixed(2)}/month).`,
          where: { group: 'all' },
          calls_affected: profile.totals.calls,
          confidence: 'medium',
          risk: 'low',
          evidence: {
            combined_saving_nanousd: c.combined_saving_nanousd,
            combined_saving_usd_month: monthly,
            combined_saving_pct: pctOf(c.combined_saving_nanousd, profile.totals.cost_nanousd),
            naive_sum_nanousd: c.naive_sum_nanousd,
            per_step_nanousd: c.per_step,
            per_segment: c.per_segment.slice(0, TOP_SEGMENTS),
          },
          recommendation: 'Apply the levers in this order: stop waste, cache responses, pick the model, cache prefixes, trim tokens, batch.',
        },
        profile,
      ),
    ];
  },
};
