// Projected monthly spend against the budget, with the tier it falls in.
import { monthlyUsd } from '../../monthly-basis.js';
import { insightFinding, type Tool } from '../shared.js';

/** Tiers of DESIGN.md by monthly AI spend (USD). */
export function tierOf(usdMonth: number): 'free' | 'early' | 'mid' | 'enterprise' {
  return usdMonth < 1_000 ? 'free' : usdMonth < 10_000 ? 'early' : usdMonth < 100_000 ? 'mid' : 'enterprise';
}

export const SUGGESTED_BUDGET_HEADROOM = 1.2;

export const budgetGuardrails: Tool = {
  id: 'budget_guardrails',
  family: 'policy',
  description: 'Projected monthly spend (window spend × 30 / days) against the budget, or a suggested budget with alerts.',
  run(profile, ctx) {
    if (profile.totals.calls === 0) return [];
    const projected = monthlyUsd(profile, profile.totals.cost_nanousd);
    const budget = ctx.budget_usd_month;
    const suggested = Math.ceil(projected * SUGGESTED_BUDGET_HEADROOM * 100) / 100;
    const over = budget !== undefined && projected > budget;
    const summary =
      budget === undefined
        ? `Spend projects to $${projected.toFixed(2)}/month; no budget is set — suggest $${suggested.toFixed(2)}/month with alerts at 50/80/100%.`
        : over
          ? `Spend projects to $${projected.toFixed(2)}/month, $${(projected - budget).toFixed(2)} over the $${budget.toFixed(2)} budget.`
          : `Spend projects to $${projected.toFixed(2)}/month, within the $${budget.toFixed(2)} budget (${budget > 0 ? Math.round((projected / budget) * 100) : 0}%).`;
    return [
      insightFinding(
        {
          tool: 'budget_guardrails',
          family: 'policy',
          title: over ? 'Projected spend exceeds the budget' : 'Budget guardrail',
          summary,
          where: { group: 'all' },
          calls_affected: profile.totals.calls,
          confidence: profile.window.days >= 7 ? 'high' : profile.window.days >= 1 ? 'medium' : 'low',
          risk: 'low',
          evidence: {
            projected_usd_month: projected,
            budget_usd_month: budget ?? null,
            suggested_budget_usd_month: budget ?? suggested,
            alert_thresholds_pct: [50, 80, 100],
            tier: tierOf(projected),
            window_days: profile.window.days,
          },
          recommendation: over
            ? 'Apply the savings below first, then enforce the budget at the gateway with alerts at 50/80/100%.'
            : 'Set the gateway budget with alerts at 50/80/100% so a runaway job is stopped early.',
        },
        profile,
      ),
    ];
  },
};
