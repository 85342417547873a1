// Reporting tools, the combination of savings in LEVERS order, the registry and analyzeWorkload,
// including bad input (never a crash, never NaN).
import { describe, expect, it } from 'vitest';
import { analyzeWorkload } from '../../../engine/analyze.js';
import type { Finding } from '../../../engine/findings.js';
import { buildProfile } from '../../../engine/profile/reference.js';
import { TOOLS, TOOL_IDS, combineSavings, runAllTools } from '../../../engine/tools/index.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';
import { DAY, HOUR, MIN, T0, call, calls, expectWellFormed, numbersIn, prefix, runTool } from './tools-fixtures.js';

const saving = (tool: string, nano: number, where: Finding['where']): Finding => ({
  tool,
  family: 'cost',
  kind: 'saving',
  title: tool,
  summary: tool,
  where,
  calls_affected: 1,
  saving_nanousd: nano,
  saving_usd_month: 0,
  saving_pct: 0,
  latency_effect_ms: null,
  confidence: 'high',
  risk: 'low',
  evidence: {},
  recommendation: '',
});

describe('registry', () => {
  it('has 30 tools in the seeds’ five families, unique ids', () => {
    const count = (family: string) => TOOLS.filter((t) => t.family === family).length;
    expect([count('cost'), count('performance'), count('cache'), count('policy'), count('reporting')]).toEqual([5, 8, 7, 6, 4]);
    expect(new Set(TOOL_IDS).size).toBe(30);
    for (const t of TOOLS) expect(t.description.length).toBeGreaterThan(10);
  });
});

describe('combineSavings', () => {
  // One segment costing exactly 1,000,000,000 nano (10 calls with a source cost of 100,000,000).
  const profile = buildProfile(calls(10, (i) => ({ timestamp: T0 + i * MIN, cost_nanousd: 100_000_000 })));
  const where = { feature: 'chat', provider: 'openai', model: 'gpt-4o' };

  it('applies the levers in LEVERS order on the residual', () => {
    const findings = [
      saving('retry_waste', 100_000_000, where), //                 L7 rate 0.10
      saving('exact_duplicates', 200_000_000, where), //            L3 0.20 ┐ added
      saving('near_duplicates', 50_000_000, where), //              L3 0.05 ┘ 0.25
      saving('model_downgrade', 400_000_000, where), //             L4 0.40 ┐ max
      saving('provider_switch', 300_000_000, where), //             L8 0.30 ┘ 0.40
      saving('prefix_caching', 100_000_000, where), //              L2 0.10 ┐ + 0.05
      saving('cache_ttl_tuning', 50_000_000, where), //             L2 0.05 ┘ 0.15
      saving('batch_eligibility', 500_000_000, where), //           L1 0.50
    ];
    // residual 1000 → L7 −100 = 900 → L3 −225 = 675 → L4/L8 −270 = 405 → L2 −60.75 = 344.25 → L1 −172.125 = 172.125 (M)
    const c = combineSavings(findings, profile);
    expect(c.combined_saving_nanousd).toBe(827_875_000);
    expect(c.naive_sum_nanousd).toBe(1_700_000_000);
    expect(c.per_step).toEqual({ L7: 100_000_000, L3: 225_000_000, 'L4/L8': 270_000_000, L2: 60_750_000, L6: 0, L5: 0, L1: 172_125_000 });
  });

  it('never exceeds the spend, and ignores insights and other segments', () => {
    const c = combineSavings(
      [saving('retry_waste', 5_000_000_000, where), { ...saving('exact_duplicates', 1, where), kind: 'insight' }, saving('exact_duplicates', 10, { ...where, feature: 'elsewhere' })],
      profile,
    );
    expect(c.combined_saving_nanousd).toBe(1_000_000_000);
  });
});

describe('savings_report and roi_estimate', () => {
  const workload = () => calls(100, (i) => ({ feature: 'classify', timestamp: T0 + i * MIN, output_tokens: 50, prompt_hash: `p${i % 50}` }));

  it('reports the combined saving, below the naive sum', () => {
    const findings = runAllTools(buildProfile(workload()), { min_saving_usd_month: 0 });
    const report = findings.find((f) => f.tool === 'savings_report')!;
    const combined = report.evidence.combined_saving_nanousd as number;
    const savings = findings.filter((f) => f.kind === 'saving');
    expect(combined).toBeGreaterThan(Math.max(...savings.map((f) => f.saving_nanousd)));
    expect(combined).toBeLessThan(report.evidence.naive_sum_nanousd as number);
    expect(report.saving_nanousd).toBe(0);
  });

  it('computes fee, effort and payback', () => {
    // one retry-waste finding: 22,500,000 nano over 30 days of traffic (T0 … the hour before T0 + 30 days) = $0.0225/month
    const at = (i: number) => T0 + Math.round((i * (30 * DAY - HOUR)) / 4);
    const profile = buildProfile(calls(5, (i) => ({ timestamp: at(i), status: 'timeout', output_tokens: 200 })), { from: T0, to: T0 + 30 * DAY });
    const [f] = runTool('roi_estimate', profile, { findings: runTool('retry_waste', profile), engineer_hourly_usd: 100 });
    // fee 20% = 0.0045 → 0 (cents), net 0.02; effort L7 = 4 h × $100 = $400; payback 400 / 0.02 = 20,000 months
    expect(f!.evidence).toMatchObject({ saving_usd_month: 0.0225, fee_usd_month: 0, net_usd_month: 0.02, levers: ['L7'], effort_hours: 4, effort_usd: 400, payback_months: 20_000 });
  });
});

describe('usage_trend', () => {
  it('compares the two halves of the window', () => {
    // day costs c, c, 3c, 3c → +200%
    const workload = [...calls(2, (d) => ({ timestamp: T0 + d * DAY })), ...calls(6, (i) => ({ timestamp: T0 + (2 + (i % 2)) * DAY + i * MIN }))];
    const [f] = runTool('usage_trend', buildProfile(workload, { from: T0, to: T0 + 4 * DAY }));
    expect(f!.evidence.change_pct).toBe(200);
  });

  it('needs two days', () => {
    expect(runTool('usage_trend', calls(5, (i) => ({ timestamp: T0 + i * HOUR })))).toEqual([]);
  });
});

describe('data_quality and bad input', () => {
  const bad: LlmCall[] = [
    call({ input_tokens: -5 }),
    call({ output_tokens: Number.NaN }),
    call({ input_tokens: Number.POSITIVE_INFINITY }),
    call({ input_tokens: 50_000_000 }),
    call({ cached_input_tokens: 900, input_tokens: 10 }),
    call({ cost_nanousd: Number.NaN }),
    call({ timestamp: Number.NaN }),
    { ...call(), provider: undefined } as unknown as LlmCall,
    call({ provider: 'acme', model: 'mystery-9' }),
    call({ provider: 'acme', model: 'mystery-9', cost_nanousd: 123 }),
    call({ input_tokens: 0, output_tokens: 0 }),
    call({ latency_ms: null, stream: null, feature: undefined, prefix_hashes: [], prompt_hash: null }),
  ];

  it('turns every problem into a data_quality finding', () => {
    const findings = runTool('data_quality', bad);
    const byGroup = Object.fromEntries(findings.map((f) => [f.where.group, f.calls_affected]));
    expect(byGroup).toMatchObject({
      negative_tokens_calls: 1,
      absurd_tokens_calls: 3,
      cached_exceeds_input_calls: 1,
      bad_cost_calls: 1,
      bad_timestamp_calls: 1,
      missing_fields_calls: 1,
      unknown_model_calls: 2,
      zero_token_calls: 1,
      missing_latency_calls: 1,
      missing_stream_calls: 1,
    });
    expect(findings.every((f) => f.kind === 'data_quality' && f.family === 'reporting')).toBe(true);
    expect(findings.find((f) => f.where.group === 'unknown_model_calls')!.evidence.unknown_models).toEqual([{ provider: 'acme', model: 'mystery-9', calls: 2 }]);
  });

  it('analyzes bad and empty workloads without crashing or producing NaN', () => {
    for (const workload of [bad, [], [bad[0]!], [call({ provider: 'acme', model: 'x' })]]) {
      const a = analyzeWorkload(buildProfile(workload), { min_saving_usd_month: 0 });
      expectWellFormed(a.findings);
      expect(numbersIn(a).filter((n) => !Number.isFinite(n.value))).toEqual([]);
    }
  });
});

describe('analyzeWorkload', () => {
  it('returns findings, totals and the combined saving of a mixed workload', () => {
    const workload = [
      ...calls(100, (i) => ({ feature: 'classify', timestamp: T0 + i * MIN, output_tokens: 50, prompt_hash: `p${i % 50}` })),
      ...calls(40, (i) => ({ feature: 'nightly-eval', timestamp: T0 + i * 1000 })),
      ...calls(30, (i) => ({ feature: 'rag', provider: 'anthropic', model: 'claude-sonnet-4-5', timestamp: T0 + i * MIN, input_tokens: 3000, prefix_hashes: prefix('kb', 4, `q${i}`, 1), user: `u${i % 4}` })),
      ...calls(5, (i) => ({ feature: 'agent', timestamp: T0 + i * MIN, status: 'timeout', output_tokens: 300 })),
    ];
    const profile = buildProfile(workload);
    const a = analyzeWorkload(profile);
    expectWellFormed(a.findings);
    expect(a.totals).toMatchObject({ calls: 175, cost_nanousd: profile.totals.cost_nanousd, window: profile.window });
    expect(a.totals.findings_by_kind.saving).toBeGreaterThan(3);
    expect([...new Set(a.findings.map((f) => f.tool))]).toEqual(
      expect.arrayContaining(['model_downgrade', 'batch_eligibility', 'prefix_caching', 'exact_duplicates', 'retry_waste', 'savings_report', 'roi_estimate']),
    );
    const report = a.findings.find((f) => f.tool === 'savings_report')!;
    expect(a.combined_saving.combined_saving_nanousd).toBe(report.evidence.combined_saving_nanousd);
    expect(a.combined_saving.combined_saving_nanousd).toBeLessThan(profile.totals.cost_nanousd);
    expect(a.combined_saving.saving_pct).toBeGreaterThan(0);
  });

  it('drops savings under the monthly minimum but keeps latency wins', () => {
    const profile = buildProfile(calls(20, (i) => ({ feature: 'nightly-eval', timestamp: T0 + i * MIN })), { from: T0, to: T0 + 30 * DAY });
    // batch saving 35,000,000 over 20 minutes of traffic, counted as one day = $1.05/month
    expect(runAllTools(profile, { min_saving_usd_month: 1.0 }).some((f) => f.tool === 'batch_eligibility')).toBe(true);
    expect(runAllTools(profile, { min_saving_usd_month: 1.1 }).some((f) => f.tool === 'batch_eligibility')).toBe(false);
    const slow = [
      ...calls(30, (i) => ({ user: `u${i}`, timestamp: T0 + i * MIN, latency_ms: 5000 })),
      ...calls(10, (i) => ({ feature: 'assistant', user: 'u', timestamp: T0 + i * MIN, ttft_ms: 800, stream: true })),
    ];
    expect(runAllTools(buildProfile(slow), { min_saving_usd_month: 1000 }).some((f) => f.tool === 'streaming_opportunity')).toBe(true);
  });
});
