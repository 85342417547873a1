// Cost-analysis tools on hand-made workloads; expected savings computed by hand from catalog prices
// ($ per 1M tokens → nano-USD per token = price × 1000).
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../engine/catalog/index.js';
import { buildProfile } from '../../../engine/profile/reference.js';
import { DAY, HOUR, MIN, T0, call, calls, runTool } from './tools-fixtures.js';

const price = (model: string, provider: string) => {
  const m = findModel(model, provider)!;
  return [m.input_per_m, m.output_per_m, m.batch_discount];
};

describe('catalog prices these tests are computed from', () => {
  it('has not moved', () => {
    expect(price('gpt-4o', 'openai')).toEqual([2.5, 10, 0.5]);
    expect(price('gpt-5-mini', 'openai')).toEqual([0.25, 2, 0.5]);
    expect(price('meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together')).toEqual([0.88, 0.88, 0]);
    expect(price('llama-3.3-70b-versatile', 'groq')).toEqual([0.59, 0.79, 0]);
  });
});

describe('spend_breakdown', () => {
  it('splits spend by provider, model and feature', () => {
    // gpt-4o 1000/100: 2,500,000 + 1,000,000 = 3,500,000; gpt-5-mini 1000/100: 250,000 + 200,000 = 450,000
    const [f] = runTool('spend_breakdown', [call(), call({ feature: 'search', model: 'gpt-5-mini' })]);
    expect(f!.kind).toBe('insight');
    expect(f!.evidence.total_cost_nanousd).toBe(3_950_000);
    expect(f!.evidence.by_model).toEqual([
      { name: 'openai/gpt-4o', calls: 1, cost_nanousd: 3_500_000, share_pct: 88.61 },
      { name: 'openai/gpt-5-mini', calls: 1, cost_nanousd: 450_000, share_pct: 11.39 },
    ]);
  });

  it('says nothing about an empty window', () => {
    expect(runTool('spend_breakdown', [])).toEqual([]);
  });
});

describe('cost_anomalies', () => {
  // 48 hours with one chat call each (c = 3,500,000) and 19 extra "report" calls in hour 30.
  const workload = () => [...calls(48, (h) => ({ timestamp: T0 + h * HOUR })), ...calls(19, (i) => ({ feature: 'report', timestamp: T0 + 30 * HOUR + i * MIN }))];

  it('flags the spike hour against the median hour and names the feature', () => {
    const findings = runTool('cost_anomalies', workload());
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    // hourly series: 47 × c and one 20c; p50 = c; 20c > 3c and the excess 19c ≥ 1% of 67c
    expect(f.evidence).toMatchObject({ hours: 1, spend_nanousd: 70_000_000, baseline_nanousd_per_hour: 3_500_000, excess_nanousd: 66_500_000, top_feature: 'report' });
    expect(f.where.feature).toBe('report');
    expect(f.calls_affected).toBe(20);
  });

  // 14 days: one chat call every hour, and a nightly digest of 30 calls at 02:00 UTC every day
  const nightly = () => [
    ...calls(14 * 24, (h) => ({ timestamp: T0 + h * HOUR })),
    ...Array.from({ length: 14 }, (_, d) => calls(30, (i) => ({ feature: 'digest', timestamp: T0 + d * DAY + 14 * HOUR + i * MIN }))).flat(),
  ];

  it('a job at the same hour every night is one schedule, never a spike per night', () => {
    const findings = runTool('cost_anomalies', nightly());
    expect(findings.filter((f) => f.title.startsWith('Spend spike'))).toEqual([]);
    const schedules = findings.filter((f) => f.evidence.schedule === true);
    expect(schedules).toHaveLength(1);
    // T0 is noon UTC: T0 + 14 h is 02:00 UTC the next day
    expect(schedules[0]!.evidence).toMatchObject({ feature: 'digest', utc_hours: [2], days: 14 });
    expect(schedules[0]!.calls_affected).toBe(14 * 30); // the digest's own calls
  });

  it('a one-off spike on top of the nightly schedule is still a spike', () => {
    const spike = calls(120, (i) => ({ feature: 'runaway', timestamp: T0 + 7 * DAY + 5 * HOUR + i * 20_000 }));
    const spikes = runTool('cost_anomalies', [...nightly(), ...spike]).filter((f) => f.title.startsWith('Spend spike'));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]!.evidence).toMatchObject({ hours: 1, top_feature: 'runaway' });
    expect(spikes[0]!.evidence.from).toBe(new Date(T0 + 7 * DAY + 5 * HOUR).toISOString());
  });

  // 14 days of one chat call an hour, and a weekly digest of 30 calls on both Mondays at 07:00 UTC (T0 is Monday noon)
  const weekly = () => [
    ...calls(14 * 24, (h) => ({ timestamp: T0 + h * HOUR })),
    ...[7, 14].flatMap((d) => calls(30, (i) => ({ feature: 'weekly-digest', timestamp: T0 + d * DAY - 5 * HOUR + i * MIN }))),
  ];

  it('a weekly job seen in both weeks of a two-week window recurs: no spikes', () => {
    // each run hour: 31 calls vs a median hour of 1 (31 > 3 × 1, excess 30c ≥ 1 % of 396c) — but the same hour
    // of the other week held 31 calls too
    expect(runTool('cost_anomalies', weekly()).filter((f) => f.title.startsWith('Spend spike'))).toEqual([]);
  });

  it('a one-off spike in a two-week window is still a spike against the same hour of the other week', () => {
    const spike = calls(40, (i) => ({ feature: 'runaway', timestamp: T0 + 9 * DAY + 3 * HOUR + i * MIN }));
    const spikes = runTool('cost_anomalies', [...weekly(), ...spike]).filter((f) => f.title.startsWith('Spend spike'));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]!.evidence.from).toBe(new Date(T0 + 9 * DAY + 3 * HOUR).toISOString());
    expect(spikes[0]!.evidence.top_feature).toBe('runaway');
  });

  // one chat call an hour from T0 (noon) to the end of day 7 (day d's 09:00 UTC is T0 + d·DAY − 3 h); a coach
  // feature launched on day 5 makes 6 calls an hour from 09:00 to 17:00 UTC on days 5, 6 and 7
  const launched = () => [
    ...calls(7 * 24 + 12, (h) => ({ timestamp: T0 + h * HOUR })),
    ...[5, 6, 7].flatMap((d) => calls(8 * 6, (i) => ({ feature: 'coach', timestamp: T0 + d * DAY - 3 * HOUR + Math.floor(i / 6) * HOUR + (i % 6) * MIN }))),
  ];

  it('a launch is a lasting step, not a spike on its first days', () => {
    // each launched hour: 7 calls vs a median hour of 1 (7 > 3, excess 6c ≥ 1 % of 324c); on day 5 the same hour
    // of the other days is 1 call on 5 of 7 days — but the next two days hold 7, as do the two before day 7
    const findings = runTool('cost_anomalies', launched());
    expect(findings.filter((f) => f.title.startsWith('Spend spike'))).toEqual([]);
  });

  it('a one-off spike on the last day after a launch is still a spike', () => {
    const spike = calls(40, (i) => ({ feature: 'runaway', timestamp: T0 + 7 * DAY + 6 * HOUR + i * MIN }));
    const spikes = runTool('cost_anomalies', [...launched(), ...spike]).filter((f) => f.title.startsWith('Spend spike'));
    expect(spikes.map((f) => [f.evidence.from, f.evidence.top_feature])).toEqual([[new Date(T0 + 7 * DAY + 6 * HOUR).toISOString(), 'runaway']]);
  });

  it('stays quiet on flat traffic and on windows under 24 h', () => {
    expect(runTool('cost_anomalies', calls(48, (h) => ({ timestamp: T0 + h * HOUR })))).toEqual([]);
    expect(runTool('cost_anomalies', [...calls(10, (h) => ({ timestamp: T0 + h * HOUR })), ...calls(20, () => ({ timestamp: T0 }))])).toEqual([]);
  });
});

describe('model_downgrade', () => {
  // 100 gpt-4o calls, 1000 in / 50 out, 1 min apart (window 2 h = 1/12 day).
  const classify = (over = {}) => calls(100, (i) => ({ feature: 'classify', timestamp: T0 + i * MIN, output_tokens: 50, ...over }));

  it('routes short-output traffic to the highest measured tier, cheapest, cheaper model of the same provider', () => {
    const [f, ...rest] = runTool('model_downgrade', classify());
    expect(rest).toEqual([]);
    // current: 100,000 × 2,500 + 5,000 × 10,000 = 300,000,000
    // gpt-4o is Arena 1265.1 (mid); cheaper OpenAI models rated mid or better: gpt-4o-mini (1272.4), o3-mini
    // (1303.9); gpt-5-mini is unrated. Cheapest: gpt-4o-mini 100,000 × 150 + 5,000 × 600 = 18,000,000
    // saving = (300,000,000 − 18,000,000) × 0.5 = 141,000,000
    expect(f!.saving_nanousd).toBe(141_000_000);
    expect(f!.evidence.substitute).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', tier: 'mid', capability_score: 1272.4 });
    expect(f!.where).toEqual({ feature: 'classify', provider: 'openai', model: 'gpt-4o' });
    // monthly: 0.141 $ × 30 / (1/12) = 50.76; share of spend 141 / 300 = 47%
    expect(f!.saving_usd_month).toBeCloseTo(50.76, 9);
    expect(f!.saving_pct).toBe(47);
    expect(f!.confidence).toBe('medium');
  });

  it('leaves long outputs, small samples and unknown models alone', () => {
    expect(runTool('model_downgrade', classify({ output_tokens: 300 }))).toEqual([]);
    expect(runTool('model_downgrade', classify().slice(0, 19))).toEqual([]);
    expect(runTool('model_downgrade', classify({ provider: 'acme', model: 'mystery' }))).toEqual([]);
  });
});

describe('provider_switch', () => {
  const llama = (provider: string, model: string, input = 10_000) => calls(10, (i) => ({ provider, model, timestamp: T0 + i * MIN, input_tokens: input, output_tokens: 1000 }));

  it('moves the same open weights to the cheapest provider that fits the p99 input', () => {
    const [f] = runTool('provider_switch', llama('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'));
    // together: 100,000 × 880 + 10,000 × 880 = 96,800,000
    // groq:     100,000 × 590 + 10,000 × 790 = 66,900,000 (bedrock 0.72/0.72 = 79,200,000)
    expect(f!.saving_nanousd).toBe(29_900_000);
    expect(f!.evidence.alternative).toMatchObject({ provider: 'groq', model: 'llama-3.3-70b-versatile' });
  });

  it('finds nothing when already cheapest, or when no alternative context fits', () => {
    expect(runTool('provider_switch', llama('groq', 'llama-3.3-70b-versatile'))).toEqual([]);
    expect(runTool('provider_switch', llama('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', 130_000))).toEqual([]);
    expect(runTool('provider_switch', calls(10, () => ({})))).toEqual([]); // closed model
  });
});

describe('batch_eligibility', () => {
  const job = (over = {}) => calls(20, (i) => ({ feature: 'nightly-eval', timestamp: T0 + i * MIN, ...over }));

  it('discounts job-like, unstreamed, user-less features', () => {
    const [f] = runTool('batch_eligibility', job());
    // 20 × 3,500,000 = 70,000,000 at 50% off → 35,000,000
    expect(f!.saving_nanousd).toBe(35_000_000);
    expect(f!.evidence.signals).toEqual(['name']);
  });

  it('also recognises bursts and off-hours traffic', () => {
    // 30 calls in one minute + 1 in each of 5 minutes: max 30 ≥ 10 × p50 (1)
    const bursty = [...calls(30, (i) => ({ feature: 'misc', timestamp: T0 + i })), ...calls(5, (i) => ({ feature: 'misc', timestamp: T0 + (i + 1) * MIN }))];
    expect(runTool('batch_eligibility', bursty)[0]!.evidence.signals).toEqual(['bursty']);
    const night = calls(20, (i) => ({ feature: 'misc', timestamp: T0 - 10 * HOUR + i * MIN })); // 02:00 UTC
    expect(runTool('batch_eligibility', night)[0]!.evidence.signals).toEqual(['off_hours']);
  });

  // T0 is noon UTC; + 14 h = 02:00 UTC
  const nightlyFor = (days: number, over = {}) =>
    Array.from({ length: days }, (_, d) => calls(10, (i) => ({ feature: 'enrich', user: `acct_${i}`, timestamp: T0 + d * DAY + 14 * HOUR + i * MIN, ...over }))).flat();

  it('a feature that recurs at the same hour every day is batchable even when its calls name users', () => {
    const [f] = runTool('batch_eligibility', nightlyFor(7));
    expect(f!.evidence.signals).toEqual(['scheduled_daily', 'off_hours']);
    expect(f!.evidence.schedule).toMatchObject({ period: 'daily', utc_hours: [2] });
    // 70 calls × 3,500,000 at 50% off
    expect(f!.saving_nanousd).toBe(35 * 3_500_000);
  });

  it('a weekday-only job is a weekly schedule', () => {
    // three weeks, Monday to Friday (T0 is a Monday), 02:00 UTC
    const weekdays = Array.from({ length: 21 }, (_, d) => d).filter((d) => d % 7 < 5);
    const job = weekdays.flatMap((d) => calls(10, (i) => ({ feature: 'enrich', user: `acct_${i}`, timestamp: T0 + d * DAY + 14 * HOUR + i * MIN })));
    const [f] = runTool('batch_eligibility', job);
    expect(f!.evidence.signals).toContain('scheduled_weekly');
  });

  it('user-facing traffic all day is not a schedule and is not batched on one signal', () => {
    const chat = calls(7 * 24, (h) => ({ feature: 'assistant-report', user: `u${h % 13}`, timestamp: T0 + h * HOUR }));
    expect(runTool('batch_eligibility', chat)).toEqual([]);
  });

  it('a job already billed at the batch price (the source says so) has nothing left to save', () => {
    // gpt-4o 1000 in / 100 out: 3,500,000 at list, 1,750,000 through the batch API
    expect(runTool('batch_eligibility', job({ cost_nanousd: 1_750_000, cost_from_source: true }))).toEqual([]);
    const [f] = runTool('batch_eligibility', job({ cost_nanousd: 3_500_000, cost_from_source: true }));
    expect(f!.saving_nanousd).toBe(20 * 1_750_000);
  });

  it('never batches streamed or user-facing traffic, or models without a batch API', () => {
    expect(runTool('batch_eligibility', nightlyFor(7, { stream: true }))).toEqual([]);
    expect(runTool('batch_eligibility', job({ stream: true }))).toEqual([]);
    expect(runTool('batch_eligibility', job({ user: 'someone' }))).toEqual([]);
    expect(runTool('batch_eligibility', job({ provider: 'groq', model: 'llama-3.3-70b-versatile' }))).toEqual([]);
    expect(runTool('batch_eligibility', calls(20, (i) => ({ feature: 'chat', timestamp: T0 + i * MIN })))).toEqual([]);
  });
});

describe('window extrapolation', () => {
  // 20 calls from T0 (an hour start) to the hour before T0 + 3 days: 3 days of observed traffic
  const spread = () => calls(20, (i) => ({ feature: 'nightly-eval', timestamp: T0 + Math.round((i * (3 * DAY - HOUR)) / 19) }));

  it('scales savings to 30 days from the observed traffic span, whatever window was asked for', () => {
    // 35,000,000 nano over 3 observed days → 0.035 $ × 10 = 0.35 $/month, for a 3-day and a 30-day window alike
    for (const w of [{ from: T0, to: T0 + 3 * DAY }, { from: T0 - 10 * DAY, to: T0 + 20 * DAY }, {}]) {
      const [f] = runTool('batch_eligibility', buildProfile(spread(), w));
      expect(f!.saving_nanousd).toBe(35_000_000);
      expect(f!.saving_usd_month).toBe(0.35);
      expect(f!.evidence.monthly_basis).toMatchObject({ days: 3, basis: 'observed_traffic', from: new Date(T0).toISOString(), to: new Date(T0 + 3 * DAY).toISOString() });
    }
  });

  it('counts under a day of traffic as one day', () => {
    const p = buildProfile(calls(20, (i) => ({ feature: 'nightly-eval', timestamp: T0 + i * MIN })), { from: T0, to: T0 + 3 * DAY });
    // 35,000,000 nano over (at least) 1 day → 1.05 $/month
    const [f] = runTool('batch_eligibility', p);
    expect(f!.saving_usd_month).toBe(1.05);
    expect(f!.evidence.monthly_basis).toMatchObject({ days: 1, basis: 'minimum_day' });
  });
});
