// Chart data of the report page (durable-objects/agents/reporting.ts): the savings waterfall to the combined
// total, spend over time by model from the profile's hour × feature buckets, latency percentiles by model.
// Hand-built inputs; every expected figure is worked out by hand below.
import { describe, expect, it } from 'vitest';
import { latencyByModel, savingsWaterfall, spendOverTimeByModel } from '../../durable-objects/agents/reporting';
import type { OptimizeStepResult } from '../../durable-objects/agents/optimizer';
import type { WorkloadProfile } from '../../engine/profile/types';

const DAY = 86_400_000;
const D0 = Date.parse('2026-11-02T00:00:00Z');
const USD = 1e9; // nanousd
const dist = (p50: number | null, p95: number | null, p99: number | null, count: number) => ({ count, p50, p95, p99, max: p99 });

function profile(days: number): WorkloadProfile {
  return {
    window: { from: D0, to: D0 + days * DAY, days },
    totals: { cost_nanousd: 9 * USD },
    models: [
      { provider: 'openai', model: 'a', cost_nanousd: 6 * USD, latency_ms: dist(100, 300, 400, 10) },
      { provider: 'anthropic', model: 'b', cost_nanousd: 3 * USD, latency_ms: dist(200, 900, 950, 4) },
      { provider: 'google', model: 'c', cost_nanousd: 0, latency_ms: dist(null, null, null, 0) },
    ],
    // chat: a 4, b 1 (shares 0.8 / 0.2); sum: a 2, b 2 (0.5 / 0.5)
    segments: [
      { feature: 'chat', provider: 'openai', model: 'a', cost_nanousd: 4 * USD },
      { feature: 'chat', provider: 'anthropic', model: 'b', cost_nanousd: 1 * USD },
      { feature: 'sum', provider: 'openai', model: 'a', cost_nanousd: 2 * USD },
      { feature: 'sum', provider: 'anthropic', model: 'b', cost_nanousd: 2 * USD },
    ],
    hours: [
      { hour: D0 + 3_600_000, feature: 'chat', cost_nanousd: 5 * USD },
      { hour: D0 + 7_200_000, feature: 'sum', cost_nanousd: 2 * USD },
      { hour: D0 + DAY, feature: 'chat', cost_nanousd: 1 * USD },
    ],
  } as unknown as WorkloadProfile;
}

describe('report chart data', () => {
  it('spend over time by model: daily buckets past two days, each feature split by its model mix', () => {
    const s = spendOverTimeByModel(profile(3))!;
    expect(s.bucket).toBe('day');
    expect(s.models).toEqual(['openai/a', 'anthropic/b', 'google/c']);
    expect(s.allocated).toBe(true);
    // day 0: chat 5 → a 4, b 1; sum 2 → a 1, b 1. day 1: chat 1 → a 0.8, b 0.2.
    expect(s.points).toEqual([
      { t: D0, values: [5, 2, 0] },
      { t: D0 + DAY, values: [0.8, 0.2, 0] },
    ]);
  });

  it('spend over time by model: hourly buckets for a short window; none without a profile', () => {
    const s = spendOverTimeByModel(profile(1))!;
    expect(s.bucket).toBe('hour');
    expect(s.points.map((p) => p.t)).toEqual([D0 + 3_600_000, D0 + 7_200_000, D0 + DAY]);
    expect(s.points[1]!.values).toEqual([1, 1, 0]);
    expect(spendOverTimeByModel(null)).toBeNull();
  });

  it('latency by model: models with latencies, slowest p95 first', () => {
    expect(latencyByModel(profile(3))).toEqual([
      { label: 'anthropic/b', calls: 4, p50: 200, p95: 900, p99: 950 },
      { label: 'openai/a', calls: 10, p50: 100, p95: 300, p99: 400 },
    ]);
  });

  it('savings waterfall: each lever adds what the combined total gains with it, ending at the combined total', () => {
    const opt = {
      window_days: 15,
      savings: [
        { title: 'Route to a cheaper model', where: { feature: 'chat' }, saving_usd_month: 10, cumulative_pct: 5 },
        { title: 'Prompt caching', where: {}, saving_usd_month: 8, cumulative_pct: 8 },
      ],
      // 9 $ naive over 15 days = 18 $/month
      combined: { saving_usd_month: 16, saving_pct: 8, naive_sum_nanousd: 9 * USD },
    } as unknown as OptimizeStepResult;
    // monthly spend 200: 5% = 10, 8% = 16 → adds 10 then 6.
    expect(savingsWaterfall(opt, 200)).toEqual({
      unit: 'USD/month',
      steps: [
        { label: 'Route to a cheaper model', where: 'feature chat', saving_usd: 10, added_usd: 10 },
        { label: 'Prompt caching', where: 'all calls', saving_usd: 8, added_usd: 6 },
      ],
      naive_sum_usd: 18,
      total_usd: 16,
    });
    expect(savingsWaterfall(undefined, 200)).toBeNull();
  });
});
