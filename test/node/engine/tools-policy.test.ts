// Policy tools and the what-if simulator (gpt-4o $2.5/$10, gpt-4o-mini $0.15/$0.6 per 1M tokens).
import { describe, expect, it } from 'vitest';
import { buildProfile } from '../../../engine/profile/reference.js';
import { gatewayPolicy, runAllTools, simulatePolicy, synthesizePolicy, type GatewayPolicy } from '../../../engine/tools/index.js';
import { DAY, HOUR, MIN, T0, call, calls, numbersIn, runTool } from './tools-fixtures.js';

describe('budget_guardrails', () => {
  // 10 calls × 3,500,000 = 35,000,000 over a 1-day window → $1.05/month
  const oneDay = () => buildProfile(calls(10, (i) => ({ timestamp: T0 + i * MIN })), { from: T0, to: T0 + DAY });

  it('projects the month against the budget', () => {
    const [over] = runTool('budget_guardrails', oneDay(), { budget_usd_month: 1 });
    expect(over!.evidence).toMatchObject({ projected_usd_month: 1.05, budget_usd_month: 1, tier: 'free' });
    expect(over!.title).toContain('exceeds');
    const [under] = runTool('budget_guardrails', oneDay(), { budget_usd_month: 2 });
    expect(under!.title).not.toContain('exceeds');
  });

  it('suggests a budget with 20% headroom when none is set', () => {
    const [f] = runTool('budget_guardrails', oneDay());
    expect(f!.evidence.suggested_budget_usd_month).toBe(1.26);
  });
});

describe('user_quotas', () => {
  it('sets the quota at 2 × p99 user-day spend and lists the runaway users', () => {
    // 149 users × 1 call (c = 3,500,000) + 1 user × 50 calls: 150 user-days, p99 rank 149 → c; quota 2c
    // runaway excess = 50c − 2c = 48c = 168,000,000
    const workload = [...calls(149, (i) => ({ user: `u${i}`, timestamp: T0 + i * 1000 })), ...calls(50, (i) => ({ user: 'runaway', timestamp: T0 + i * 1000 }))];
    const [f] = runTool('user_quotas', workload);
    expect(f!.evidence).toMatchObject({ quota_nanousd_per_user_day: 7_000_000, excess_nanousd: 168_000_000 });
    expect(f!.evidence.over_quota).toEqual([{ user: 'runaway', day: '2026-10-05', cost_nanousd: 175_000_000 }]);
    expect(f!.calls_affected).toBe(50);
  });

  it('needs 10 user-days', () => {
    expect(runTool('user_quotas', calls(9, (i) => ({ user: `u${i}` })))).toEqual([]);
  });
});

describe('history_window', () => {
  it('windows ever-growing chat histories at 8192 tokens', () => {
    // inputs 5000 … 16000: 11 growing follow-ups; Σ max(0, input − 8192) = 34,464 tokens × 2,500 = 86,160,000
    const [f] = runTool('history_window', calls(12, (i) => ({ user: 'u', timestamp: T0 + i * MIN, input_tokens: 5000 + 1000 * i })));
    expect(f!.saving_nanousd).toBe(86_160_000);
    expect(f!.calls_affected).toBe(11);
  });

  it('ignores sessions that do not grow', () => {
    expect(runTool('history_window', calls(12, (i) => ({ user: 'u', timestamp: T0 + i * MIN, input_tokens: 20_000 })))).toEqual([]);
  });
});

describe('fallback_chains', () => {
  it('proposes another provider for a failing model', () => {
    const workload = calls(30, (i) => ({ timestamp: T0 + i * MIN, status: i < 3 ? '500' : 'ok', output_tokens: i < 3 ? 0 : 100 }));
    const [f] = runTool('fallback_chains', workload);
    const chain = f!.evidence.chain as { provider: string; model: string }[];
    expect(chain[0]).toEqual({ provider: 'openai', model: 'gpt-4o' });
    expect(chain).toHaveLength(2);
    expect(chain[1]!.provider).not.toBe('openai');
  });

  it('leaves healthy models alone', () => {
    expect(runTool('fallback_chains', calls(30, (i) => ({ timestamp: T0 + i * MIN })))).toEqual([]);
  });
});

describe('simulatePolicy', () => {
  // 100 classify calls on gpt-4o, 1000 in / 50 out (5 of them 250 out), 10 of them repeating one prompt
  const workload = () =>
    calls(100, (i) => ({ feature: 'classify', timestamp: T0 + i * MIN, output_tokens: i % 20 === 0 ? 250 : 50, prompt_hash: i < 10 ? 'same' : `p${i}` }));
  const policy = (rule: Partial<GatewayPolicy['rules'][number]>): GatewayPolicy => ({ version: 1, rules: [{ id: 'r1', match: { feature: 'classify' }, ...rule }] });

  it('replays a model remap the same way over calls and over the profile', () => {
    // before: 100 × 2,500,000 + (95 × 50 + 5 × 250) × 10,000 = 250,000,000 + 60,000,000 = 310,000,000
    // after on gpt-4o-mini: 100,000 × 150 + 6,000 × 600 = 15,000,000 + 3,600,000 = 18,600,000
    const p = policy({ route_to: { provider: 'openai', model: 'gpt-4o-mini' } });
    const overCalls = simulatePolicy(workload(), p);
    expect(overCalls).toMatchObject({ mode: 'calls', before_nanousd: 310_000_000, after_nanousd: 18_600_000, saving_nanousd: 291_400_000 });
    expect(overCalls.per_rule).toEqual([{ rule_id: 'r1', calls: 100, before_nanousd: 310_000_000, after_nanousd: 18_600_000, saving_nanousd: 291_400_000, unknown_target: false }]);
    expect(simulatePolicy(buildProfile(workload()), p)).toMatchObject({ mode: 'profile', before_nanousd: 310_000_000, after_nanousd: 18_600_000 });
  });

  it('applies caps, response cache, partial routing and batch share', () => {
    // cap 100: the 5 long answers lose 150 tokens each → 750 × 10,000 = 7,500,000 less
    expect(simulatePolicy(workload(), policy({ max_tokens: 100 })).saving_nanousd).toBe(7_500_000);
    // profile: p95 = 50, p99 = max = 250, 1000 tokens above the p95 and 0 above the p99; a cap of 100
    // between them trims 0 + 1000 × (250 − 100) / (250 − 50) = 750 tokens → the same 7,500,000
    expect(simulatePolicy(buildProfile(workload()), policy({ max_tokens: 100 })).saving_nanousd).toBe(7_500_000);
    // response cache: calls 1..9 repeat 'same' (call 0 has 250 out, 1..9 have 50) → 9 × 3,000,000 = 27,000,000
    expect(simulatePolicy(workload(), policy({ response_cache_ttl_s: 3600 })).saving_nanousd).toBe(27_000_000);
    // batch half the traffic at 50% off: 310,000,000 × 0.25 = 77,500,000
    expect(simulatePolicy(workload(), policy({ batch_share: 0.5 })).saving_nanousd).toBe(77_500_000);
    // route half: (310,000,000 − 18,600,000) / 2 = 145,700,000
    expect(simulatePolicy(workload(), policy({ route_to: { provider: 'openai', model: 'gpt-4o-mini' }, route_share: 0.5 })).saving_nanousd).toBe(145_700_000);
  });

  it('leaves unmatched traffic and unknown targets unchanged', () => {
    const unmatched = simulatePolicy(workload(), { version: 1, rules: [{ id: 'x', match: { feature: 'other' }, max_tokens: 1 }] });
    expect(unmatched).toMatchObject({ before_nanousd: 310_000_000, after_nanousd: 310_000_000, per_rule: [] });
    const unknown = simulatePolicy(workload(), policy({ route_to: { provider: 'acme', model: 'nope' } }));
    expect(unknown.saving_nanousd).toBe(0);
    expect(unknown.per_rule[0]!.unknown_target).toBe(true);
  });

  it('turns on prompt caching at the target model’s rates', () => {
    // 10 calls 1 min apart sharing 3 blocks (1536 tokens), input 3000: 9 × 1536 cached at 1,250 instead of 2,500
    const shared = calls(10, (i) => ({ timestamp: T0 + i * MIN, input_tokens: 3000, prefix_hashes: ['a', 'b', 'c', `own${i}`] }));
    const p: GatewayPolicy = { version: 1, rules: [{ id: 'cache', match: {}, prompt_cache: true }] };
    expect(simulatePolicy(shared, p).saving_nanousd).toBe(17_280_000);
    expect(simulatePolicy(buildProfile(shared), p).saving_nanousd).toBe(17_280_000);
  });
});

describe('routing_policy and what_if_simulation', () => {
  it('synthesizes a valid gateway policy from the findings and simulates it', () => {
    const workload = [
      ...calls(100, (i) => ({ feature: 'classify', timestamp: T0 + i * MIN, output_tokens: 50, prompt_hash: `p${i % 50}` })),
      ...calls(40, (i) => ({ feature: 'nightly-eval', timestamp: T0 + i * 1000 })),
    ];
    const profile = buildProfile(workload);
    const findings = runAllTools(profile, { min_saving_usd_month: 0 });
    const policyFinding = findings.find((f) => f.tool === 'routing_policy')!;
    const policy = gatewayPolicy.parse(policyFinding.evidence.policy);
    expect(policy).toEqual(synthesizePolicy(profile, { findings }));
    const classify = policy.rules.find((r) => r.match.feature === 'classify')!;
    expect(classify).toMatchObject({ route_to: { provider: 'openai', model: 'gpt-4o-mini' }, route_share: 0.5, response_cache_ttl_s: 86_400 });
    expect(policy.rules.find((r) => r.match.feature === 'nightly-eval')).toMatchObject({ batch_share: 1 });
    const whatIf = findings.find((f) => f.tool === 'what_if_simulation')!;
    expect(whatIf.evidence.before_nanousd).toBe(profile.totals.cost_nanousd);
    expect(whatIf.evidence.saving_nanousd as number).toBeGreaterThan(0);
    expect(numbersIn(findings).filter((n) => !Number.isFinite(n.value))).toEqual([]);
  });

  it('proposes nothing without saving findings', () => {
    expect(runTool('routing_policy', calls(3, () => ({})))).toEqual([]);
    expect(runTool('what_if_simulation', calls(3, () => ({})))).toEqual([]);
  });
});

describe('hourly data extrapolation', () => {
  it('keeps a policy replay finite on a 1-hour window', () => {
    const r = simulatePolicy(buildProfile([call({ timestamp: T0 + HOUR / 2 })]), { version: 1, rules: [{ id: 'a', match: {}, max_tokens: 1, batch_share: 1, prompt_cache: true, response_cache_ttl_s: 60 }] });
    expect(numbersIn(r).every((n) => Number.isFinite(n.value))).toBe(true);
  });
});
