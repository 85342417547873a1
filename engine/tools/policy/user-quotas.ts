// Per-user daily quotas from the user-day spend distribution, and the runaway user-days above them.
import { confidence, formatUsd, insightFinding, type Tool } from '../shared.js';

export const MIN_USER_DAYS = 10;
export const QUOTA_P99_FACTOR = 2;

export const userQuotas: Tool = {
  id: 'user_quotas',
  family: 'policy',
  description: 'Daily per-user quota = 2 × p99 user-day spend; lists the user-days above it.',
  run(profile) {
    const u = profile.users;
    const p99 = u.user_day_cost.p99;
    if (u.user_days < MIN_USER_DAYS || p99 === null || p99 <= 0) return [];
    const quota = QUOTA_P99_FACTOR * p99;
    const over = u.top_user_days.filter((d) => d.cost_nanousd > quota);
    const excess = over.reduce((a, d) => a + d.cost_nanousd - quota, 0);
    return [
      insightFinding(
        {
          tool: 'user_quotas',
          family: 'policy',
          title: 'Per-user daily quota',
          summary:
            `${u.users} users over ${u.user_days} user-days; a daily quota of ${formatUsd(quota)} per user (2 × p99) leaves normal use alone` +
            (over.length > 0 ? ` and would have stopped ${over.length} runaway user-days (${formatUsd(excess)} above quota).` : '.'),
          where: { group: 'users' },
          calls_affected: over.reduce((a, d) => a + d.calls, 0),
          confidence: confidence(u.user_days, 'medium'),
          risk: 'medium',
          evidence: {
            quota_nanousd_per_user_day: Math.round(quota),
            user_day_cost: u.user_day_cost,
            over_quota: over.map((d) => ({ user: d.user, day: new Date(d.day).toISOString().slice(0, 10), cost_nanousd: d.cost_nanousd })),
            excess_nanousd: Math.round(excess),
          },
          recommendation: `Set a gateway quota of ${formatUsd(quota)} per user per day (soft alert at 80%).`,
        },
        profile,
      ),
    ];
  },
};
