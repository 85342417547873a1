// Return on acting on the recommendations: fee, one-off effort and payback.
import { monthlyUsd } from '../../monthly-basis.js';
import { insightFinding, type Tool } from '../shared.js';
import { combineSavings, type LeverStep } from './combine.js';

export const FEE_SHARE = 0.2;
/** Engineering hours to put each lever in place (estimates). */
export const EFFORT_HOURS: Record<LeverStep, number> = { L7: 4, L3: 8, 'L4/L8': 16, L2: 4, L6: 16, L5: 2, L1: 16 };

export const roiEstimate: Tool = {
  id: 'roi_estimate',
  family: 'reporting',
  description: 'Monthly saving net of the 20% fee, one-off engineering effort per lever, payback in months.',
  run(profile, ctx) {
    const c = combineSavings(ctx.findings, profile);
    if (c.combined_saving_nanousd <= 0) return [];
    const monthly = monthlyUsd(profile, c.combined_saving_nanousd);
    const fee = Math.round(monthly * FEE_SHARE * 100) / 100;
    const net = Math.round((monthly - fee) * 100) / 100;
    const steps = (Object.keys(c.per_step) as LeverStep[]).filter((s) => c.per_step[s] > 0);
    const hours = steps.reduce((a, s) => a + EFFORT_HOURS[s], 0);
    const effort = hours * ctx.engineer_hourly_usd;
    const payback = net > 0 ? Math.round((effort / net) * 100) / 100 : null;
    return [
      insightFinding(
        {
          tool: 'roi_estimate',
          family: 'reporting',
          title: 'Return on investment',
          summary: `≈ $${monthly.toFixed(2)}/month saved, $${net.toFixed(2)} after the ${FEE_SHARE * 100}% fee; about ${hours} engineering hours ($${effort.toFixed(0)}) pay back in ${payback ?? '–'} months.`,
          where: { group: 'all' },
          calls_affected: profile.totals.calls,
          confidence: 'medium',
          risk: 'low',
          evidence: {
            saving_usd_month: monthly,
            fee_usd_month: fee,
            net_usd_month: net,
            levers: steps,
            effort_hours: hours,
            engineer_hourly_usd: ctx.engineer_hourly_usd,
            effort_usd: effort,
            payback_months: payback,
          },
          recommendation: 'Start with the cheapest levers to put in place (output caps, prompt caching, retries) to pay for the rest.',
        },
        profile,
      ),
    ];
  },
};
