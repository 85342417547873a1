// Daily spend over the window and how the second half compares with the first.
import { DAY_MS } from '../../findings.js';
import { insightFinding, ratio, type Tool } from '../shared.js';

export const usageTrend: Tool = {
  id: 'usage_trend',
  family: 'reporting',
  description: 'Daily spend series and the change of average daily spend between the two halves of the window.',
  run(profile) {
    const days = Math.floor(profile.window.days);
    if (days < 2) return [];
    const start = profile.window.from;
    const daily = new Array<number>(days).fill(0);
    const calls = new Array<number>(days).fill(0);
    for (const b of profile.hours) {
      const i = Math.floor((b.hour - start) / DAY_MS);
      if (i < 0 || i >= days) continue;
      daily[i]! += b.cost_nanousd;
      calls[i]! += b.calls;
    }
    const half = Math.floor(days / 2);
    const avg = (xs: number[]) => ratio(xs.reduce((a, x) => a + x, 0), xs.length);
    const first = avg(daily.slice(0, half));
    const second = avg(daily.slice(days - half));
    const change = first > 0 ? Math.round(((second - first) / first) * 10_000) / 100 : 0;
    return [
      insightFinding(
        {
          tool: 'usage_trend',
          family: 'reporting',
          title: 'Spend trend',
          summary: `Average daily spend moved ${change >= 0 ? '+' : ''}${change}% from the first ${half} days to the last ${half}.`,
          where: { group: 'all' },
          calls_affected: calls.reduce((a, x) => a + x, 0),
          confidence: days >= 14 ? 'high' : 'medium',
          risk: 'low',
          evidence: {
            daily: daily.map((cost, i) => ({ day: new Date(start + i * DAY_MS).toISOString().slice(0, 10), cost_nanousd: cost, calls: calls[i] })),
            first_half_avg_nanousd: Math.round(first),
            second_half_avg_nanousd: Math.round(second),
            change_pct: change,
          },
          recommendation: change > 20 ? 'Spend is growing fast: set the budget guardrail and apply the top savings now.' : 'Keep watching the trend against the budget.',
        },
        profile,
      ),
    ];
  },
};
