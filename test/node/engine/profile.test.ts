// The reference workload profile: nearest-rank percentiles, the window, every per-call derivation of
// engine/profile/derive.ts on small hand-made workloads, data quality, and order independence.
import { describe, expect, it } from 'vitest';
import { distribution } from '../../../engine/profile/distribution.js';
import { buildProfile } from '../../../engine/profile/reference.js';
import type { SegmentProfile, WorkloadProfile } from '../../../engine/profile/types.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';
import { DAY, HOUR, MIN, T0, call, calls, numbersIn, prefix } from './tools-fixtures.js';

const seg = (p: WorkloadProfile, feature = 'chat'): SegmentProfile => {
  const s = p.segments.find((x) => x.feature === feature);
  if (!s) throw new Error(`no segment ${feature}`);
  return s;
};
const prefixAt = (s: SegmentProfile, ttl: number, min: number) => s.prefix_cache.find((x) => x.ttl_s === ttl && x.min_tokens === min)!;

describe('nearest-rank percentiles', () => {
  it('takes the value at rank max(1, ceil(p·n))', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(distribution(hundred)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    // n = 10: p50 rank 5, p95 rank ceil(9.5) = 10, p99 rank ceil(9.9) = 10
    expect(distribution([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ count: 10, p50: 5, p95: 10, p99: 10, max: 10 });
    // n = 60: 0.95·60 is 57.000000000000007 in floating point; the integer rank is exactly 57
    expect(distribution(Array.from({ length: 60 }, (_, i) => i + 1)).p95).toBe(57);
    expect(distribution([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(distribution([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});

describe('window', () => {
  it('defaults to the UTC hours spanned by the calls', () => {
    const p = buildProfile([call({ timestamp: T0 + 5 * MIN }), call({ timestamp: T0 + 2 * HOUR + 59 * MIN })]);
    expect(p.window).toEqual({ from: T0, to: T0 + 3 * HOUR, days: 3 / 24 });
  });

  it('honours from/to and counts the calls outside', () => {
    const p = buildProfile([call({ timestamp: T0 - 1 }), call({ timestamp: T0 }), call({ timestamp: T0 + DAY })], { from: T0, to: T0 + DAY });
    expect(p.window).toEqual({ from: T0, to: T0 + DAY, days: 1 });
    expect(p.totals.calls).toBe(1);
    expect(p.data_quality.out_of_window_calls).toBe(2);
  });

  it('is empty but well formed without calls', () => {
    const p = buildProfile([]);
    expect(p.window.days).toBe(0);
    expect(p.segments).toEqual([]);
    expect(numbersIn(p).every((n) => Number.isFinite(n.value))).toBe(true);
  });
});

describe('sums and costs', () => {
  it('sums tokens and costs per model and per segment', () => {
    // gpt-4o: 1000 in × $2.5/1M + 100 out × $10/1M = $0.0035 = 3,500,000 nano per call
    const p = buildProfile([
      ...calls(3, (i) => ({ timestamp: T0 + i * MIN })),
      call({ feature: 'search', timestamp: T0, status: '500', output_tokens: 0 }),
    ]);
    expect(p.totals).toMatchObject({ calls: 4, ok_calls: 3, error_calls: 1, input_tokens: 4000, output_tokens: 300, cost_nanousd: 3 * 3_500_000 + 2_500_000 });
    expect(p.models).toHaveLength(1);
    expect(p.models[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o', known: true, calls: 4, cost_nanousd: 13_000_000 });
    expect(seg(p)).toMatchObject({ calls: 3, cost_nanousd: 10_500_000 });
    expect(seg(p, 'search')).toMatchObject({ calls: 1, error_calls: 1, billed_failed_calls: 0 });
  });

  it('counts unknown models at zero cost, even with a source cost', () => {
    const p = buildProfile([call({ provider: 'acme', model: 'mystery-9', cost_nanousd: 5_000_000 })]);
    expect(p.totals.cost_nanousd).toBe(0);
    expect(p.models[0]!.known).toBe(false);
    expect(p.data_quality.unknown_model_calls).toBe(1);
    expect(p.data_quality.unknown_models).toEqual([{ provider: 'acme', model: 'mystery-9', calls: 1 }]);
  });

  it('computes output tail sums above the p95 and p99', () => {
    // 95 × 100 tokens + 5 × 2100: p95 = 100 (rank 95), p99 = 2100 (rank 99)
    const p = buildProfile(calls(100, (i) => ({ timestamp: T0 + i * 1000, output_tokens: i < 95 ? 100 : 2100 })));
    const s = seg(p);
    expect(s.output_tokens_dist).toEqual({ count: 100, p50: 100, p95: 100, p99: 2100, max: 2100 });
    expect(s.output_over_p95_tokens).toBe(5 * 2000);
    expect(s.output_over_p99_tokens).toBe(0);
    expect(s.ok_output_tokens).toBe(95 * 100 + 5 * 2100);
  });

  it('counts calls per active minute', () => {
    // minute 0: 30 calls, minutes 1..5: 1 call each → [1,1,1,1,1,30]: p50 rank 3 = 1, max 30
    const p = buildProfile([...calls(30, (i) => ({ timestamp: T0 + i })), ...calls(5, (i) => ({ timestamp: T0 + (i + 1) * MIN }))]);
    expect(seg(p).calls_per_minute).toEqual({ count: 6, p50: 1, p95: 30, p99: 30, max: 30 });
  });
});

describe('duplicates', () => {
  it('counts exact duplicates after an ok predecessor within 24 h (inclusive)', () => {
    const p = buildProfile([
      call({ prompt_hash: 'p', timestamp: T0, status: '500', output_tokens: 0 }), // failed: not a predecessor
      call({ prompt_hash: 'p', timestamp: T0 + 1 }), // first ok
      call({ prompt_hash: 'p', timestamp: T0 + 1001 }), // dup, 1 s later: double fire
      call({ prompt_hash: 'p', timestamp: T0 + 1001 + DAY }), // dup, exactly 24 h after the previous ok
      call({ prompt_hash: 'p', timestamp: T0 + 1002 + 2 * DAY }), // 24 h + 1 ms: not a dup
      call({ prompt_hash: 'p', model: 'gpt-4o-mini', timestamp: T0 + 2000 }), // other model: not a dup
    ]);
    const s = seg(p);
    expect(s.exact_dup_calls).toBe(2);
    expect(s.double_fire_calls).toBe(1);
    expect(s.exact_dup_cost_nanousd).toBe(2 * 3_500_000);
    expect(s.exact_dup_latency_ms).toBe(2000);
    expect(p.duplicate_prompts).toEqual([{ provider: 'openai', model: 'gpt-4o', prompt_hash: 'p', calls: 5, dup_calls: 2, dup_cost_nanousd: 7_000_000 }]);
  });

  it('counts near duplicates: same prompt but a few tokens of the last block', () => {
    const p = buildProfile([
      call({ timestamp: T0, input_tokens: 1500, prefix_hashes: prefix('doc', 2, 'a', 1) }),
      call({ timestamp: T0 + MIN, input_tokens: 1520, prefix_hashes: prefix('doc', 2, 'b', 1) }), // Δ20 ≤ max(16, 1500/50 = 30)
      call({ timestamp: T0 + 2 * MIN, input_tokens: 1600, prefix_hashes: prefix('doc', 2, 'c', 1) }), // Δ80 > 30
      call({ timestamp: T0 + 3 * MIN, input_tokens: 1600, prefix_hashes: prefix('doc', 2, 'c', 1), prompt_hash: null }), // Δ0 to the previous
    ]);
    expect(seg(p).near_dup_calls).toBe(2);
  });
});

describe('retries', () => {
  it('finds retries of failed calls by prompt and user within 60 s, and by attempt', () => {
    const p = buildProfile([
      call({ prompt_hash: 'q', user: 'u1', timestamp: T0, status: '429', output_tokens: 0 }),
      call({ prompt_hash: 'q', user: 'u1', timestamp: T0 + 300 }), // fast retry after a 429
      call({ prompt_hash: 'r', user: 'u1', timestamp: T0, status: 'timeout', output_tokens: 50 }), // billed failure
      call({ prompt_hash: 'r', user: 'u1', timestamp: T0 + 5000, model: 'gpt-4o-mini' }), // retry on another model: fallback
      call({ prompt_hash: 's', user: 'u1', timestamp: T0, status: '500', output_tokens: 0 }),
      call({ prompt_hash: 's', user: 'u2', timestamp: T0 + 100 }), // other user: not a retry
      call({ prompt_hash: 't', user: 'u1', timestamp: T0, status: '500', output_tokens: 0 }),
      call({ prompt_hash: 't', user: 'u1', timestamp: T0 + 60_001 }), // 60 s + 1 ms: too late
      call({ attempt: 2, timestamp: T0 }), // attempt > 1
    ]);
    const s = seg(p);
    expect(s).toMatchObject({ retry_calls: 2, retry_after_429_calls: 1, fast_retry_after_429_calls: 1, retry_wait_ms: 300, fallback_calls: 0 });
    expect(s.billed_failed_calls).toBe(1);
    expect(s.billed_failed_cost_nanousd).toBe(1000 * 2500 + 50 * 10_000);
    const mini = p.segments.find((x) => x.model === 'gpt-4o-mini')!;
    expect(mini).toMatchObject({ retry_calls: 1, fallback_calls: 1, retry_wait_ms: 5000 });
    expect(p.rate_limit_minutes).toEqual([
      // gpt-4o calls in minute T0: q ×2, r, s ×2, t, the attempt-2 call (t's retry falls in the next minute)
      { minute: T0, provider: 'openai', model: 'gpt-4o', calls: 7, status_429_calls: 1, fast_retry_after_429_calls: 1, retry_wait_ms: 300 },
    ]);
  });
});

describe('prefix caching', () => {
  // 10 calls 1 min apart sharing 3 blocks (1536 tokens) + 1 own block; input 3000.
  const shared = (gapMs: number, over: Partial<LlmCall> = {}) =>
    calls(10, (i) => ({ timestamp: T0 + i * gapMs, input_tokens: 3000, prefix_hashes: prefix('sys', 3, `u${i}`, 1), ...over }));

  it('counts repeat, gap and write tokens per TTL and threshold', () => {
    const s = seg(buildProfile(shared(MIN)));
    // Calls 1..9 repeat 3 blocks = 1536 tokens; call 0 writes the 1536 tokens call 1 reuses.
    expect(prefixAt(s, 300, 512)).toEqual({ ttl_s: 300, min_tokens: 512, hit_calls: 9, repeat_tokens: 13_824, gap_tokens: 13_824, write_tokens: 1536, extra_write_tokens: 1536 });
    expect(prefixAt(s, 300, 1024)).toEqual({ ...prefixAt(s, 300, 512), min_tokens: 1024 });
    expect(prefixAt(s, 300, 4096)).toMatchObject({ hit_calls: 0, repeat_tokens: 0, write_tokens: 0 });
    expect(prefixAt(s, 3600, 1024)).toMatchObject({ repeat_tokens: 13_824, write_tokens: 1536 });
    expect(s.prefix_calls).toBe(10);
  });

  it('separates the 5 min and 1 h TTLs and subtracts tokens already cached', () => {
    const s = seg(buildProfile(shared(10 * MIN, { cached_input_tokens: 512 })));
    expect(prefixAt(s, 300, 512)).toMatchObject({ hit_calls: 0, repeat_tokens: 0, write_tokens: 0 });
    // 1 h: 9 × 1536 repeat, minus 512 already cached per call (10 calls × 512, but only the 9 repeats count)
    expect(prefixAt(s, 3600, 512)).toMatchObject({ hit_calls: 9, repeat_tokens: 13_824, gap_tokens: 9 * 1024, write_tokens: 1536, extra_write_tokens: 1536 });
  });

  it('never counts a prefix longer than the input, nor across models', () => {
    const p = buildProfile([
      call({ timestamp: T0, input_tokens: 1000, prefix_hashes: prefix('x', 2, 'a', 0) }),
      call({ timestamp: T0 + 1, input_tokens: 1000, prefix_hashes: prefix('x', 2, 'a', 0) }),
      call({ timestamp: T0 + 2, input_tokens: 1000, prefix_hashes: prefix('x', 2, 'a', 0), model: 'gpt-4o-mini' }),
    ]);
    expect(prefixAt(seg(p), 300, 512).repeat_tokens).toBe(1000);
    expect(prefixAt(p.segments.find((x) => x.model === 'gpt-4o-mini')!, 300, 512).repeat_tokens).toBe(0);
  });

  it('finds cache writes no later call read within 5 min', () => {
    const anthropic = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
    const p = buildProfile([
      call({ ...anthropic, timestamp: T0, cache_write_tokens: 2000, input_tokens: 3000, prefix_hashes: ['k0', 'k1'] }),
      call({ ...anthropic, timestamp: T0 + 4 * MIN, cached_input_tokens: 2000, input_tokens: 3000, prefix_hashes: ['k0', 'k1'] }), // reads k0
      call({ ...anthropic, timestamp: T0 + HOUR, cache_write_tokens: 1000, input_tokens: 3000, prefix_hashes: ['k9'] }), // never read
    ]);
    expect(seg(p)).toMatchObject({ cache_write_calls: 2, cache_write_unread_calls: 1, cache_write_unread_tokens: 1000 });
  });
});

describe('sessions', () => {
  it('counts follow-ups, growing inputs and history beyond 8192 tokens', () => {
    // inputs 5000, 6000 … 16000, 1 min apart: 11 follow-ups, all growing;
    // excess over 8192: 808 + 1808 + … + 7808 (inputs 9000…16000) = 8·808 + 1000·(0+…+7) = 34,464
    const p = buildProfile([
      ...calls(12, (i) => ({ user: 'u', timestamp: T0 + i * MIN, input_tokens: 5000 + 1000 * i })),
      call({ user: 'u', timestamp: T0 + 11 * MIN + 31 * MIN, input_tokens: 20_000 }), // after a 31 min gap: new session
      call({ user: 'v', timestamp: T0, input_tokens: 1 }),
    ]);
    expect(seg(p)).toMatchObject({ followup_calls: 11, growing_calls: 11, history_excess_tokens: 34_464 });
  });
});

describe('latency', () => {
  it('keeps latency, TTFT and time-out clusters of ok calls', () => {
    const p = buildProfile([
      ...calls(100, (i) => ({ timestamp: T0 + i, latency_ms: i + 1, ttft_ms: 10, stream: true })),
      call({ timestamp: T0, latency_ms: 30_400, status: 'timeout', output_tokens: 0 }),
      call({ timestamp: T0, latency_ms: null }),
    ]);
    const m = p.models[0]!;
    expect(m.latency_ms).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(m.ttft_streamed_ms.p50).toBe(10);
    expect(seg(p).latency_at_limit.find((l) => l.limit_s === 30)!.calls).toBe(1);
    expect(p.data_quality.missing_latency_calls).toBe(1);
  });
});

describe('users', () => {
  it('aggregates spend per user and per user-day', () => {
    const p = buildProfile([
      call({ user: 'a', timestamp: T0 }),
      call({ user: 'a', timestamp: T0 + HOUR }),
      call({ user: 'a', timestamp: T0 + DAY }),
      call({ user: 'b', timestamp: T0 }),
    ]);
    expect(p.users.users).toBe(2);
    expect(p.users.user_days).toBe(3);
    expect(p.users.top_users[0]).toEqual({ user: 'a', calls: 3, cost_nanousd: 10_500_000, input_tokens: 3000, output_tokens: 300 });
    expect(p.users.top_user_days[0]).toMatchObject({ user: 'a', calls: 2, cost_nanousd: 7_000_000 });
  });
});

describe('bad input', () => {
  const bad = [
    call({ input_tokens: -5 }),
    call({ output_tokens: Number.NaN }),
    call({ output_tokens: Number.POSITIVE_INFINITY }),
    call({ input_tokens: 20_000_000 }),
    call({ input_tokens: 1.5 }),
    call({ cached_input_tokens: 5000, input_tokens: 10 }),
    call({ cost_nanousd: -1 }),
    call({ timestamp: Number.NaN }),
    { ...call(), model: undefined } as unknown as LlmCall,
    null as unknown as LlmCall,
  ];

  it('excludes invalid records and says why', () => {
    const p = buildProfile([...bad, call({ prefix_hashes: undefined as unknown as string[], prompt_hash: undefined as unknown as null })]);
    expect(p.data_quality).toMatchObject({
      records: 11,
      invalid_calls: 10,
      negative_tokens_calls: 1,
      absurd_tokens_calls: 4,
      cached_exceeds_input_calls: 1,
      bad_cost_calls: 1,
      bad_timestamp_calls: 1,
      missing_fields_calls: 2,
    });
    expect(p.totals.calls).toBe(1);
    expect(numbersIn(p).filter((n) => !Number.isFinite(n.value))).toEqual([]);
  });
});

describe('order independence', () => {
  it('gives the same profile whatever the input order', () => {
    const workload = [
      ...calls(40, (i) => ({ timestamp: T0 + (i % 7) * MIN, prompt_hash: `h${i % 5}`, user: `u${i % 3}`, prefix_hashes: prefix('s', 2, `x${i % 4}`, 1), input_tokens: 1200 + i, status: i % 9 === 0 ? '429' : 'ok' })),
      ...calls(20, (i) => ({ feature: 'rag', model: 'claude-sonnet-4-5', provider: 'anthropic', timestamp: T0 + i * 20_000, cache_write_tokens: i % 2 ? 1000 : 0, cached_input_tokens: i % 3 ? 0 : 500, input_tokens: 2000, prefix_hashes: prefix('r', 3, 'q', 0) })),
    ];
    const reversed = [...workload].reverse();
    const shuffled = [...workload].sort((a, b) => (a.request_id.slice(-1) < b.request_id.slice(-1) ? -1 : 1));
    const expected = buildProfile(workload);
    expect(buildProfile(reversed)).toEqual(expected);
    expect(buildProfile(shuffled)).toEqual(expected);
  });
});
