// Cache tools on hand-made workloads. Prices (nano-USD per token): gpt-4o input 2,500, cached 1,250;
// claude-sonnet-4-5 input 3,000, cached 300, 5-min write 3,750 (1 h write = 2 × input = 6,000).
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../engine/catalog/index.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';
import { HOUR, MIN, T0, call, calls, prefix, runTool } from './tools-fixtures.js';

const sonnet = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
const haiku = { provider: 'anthropic', model: 'claude-haiku-4-5' };

/** 10 calls `gapMs` apart sharing 3 leading blocks (1536 tokens) + 1 own block; input 3000. */
const sharedPrefix = (gapMs: number, over: Partial<LlmCall> = {}) =>
  calls(10, (i) => ({ timestamp: T0 + i * gapMs, input_tokens: 3000, prefix_hashes: prefix('sys', 3, `u${i}`, 1), ...over }));

describe('catalog cache rules these tests are computed from', () => {
  it('has not moved', () => {
    const rules = (m: string, p: string) => {
      const x = findModel(m, p)!;
      return [x.input_per_m, x.cached_input_per_m, x.cache_write_per_m, x.cache_min_tokens, x.cache_ttl_s];
    };
    expect(rules('gpt-4o', 'openai')).toEqual([2.5, 1.25, null, 1024, 300]);
    expect(rules('claude-sonnet-4-5', 'anthropic')).toEqual([3, 0.3, 3.75, 1024, 300]);
    expect(rules('claude-haiku-4-5', 'anthropic')).toEqual([1, 0.1, 1.25, 4096, 300]);
  });
});

describe('prefix_caching', () => {
  it('prices implicit (OpenAI) caching of repeated prefixes', () => {
    // calls 1..9 repeat 1536 tokens ≥ 1024: gap 13,824 × (2,500 − 1,250) = 17,280,000
    const [f] = runTool('prefix_caching', sharedPrefix(MIN));
    expect(f!.saving_nanousd).toBe(17_280_000);
    expect(f!.calls_affected).toBe(9);
    expect(f!.evidence).toMatchObject({ ttl_s: 300, min_tokens: 1024, explicit_writes: false });
  });

  it('prices explicit (Anthropic) caching with the write premium', () => {
    // reads: 13,824 × (3,000 − 300) = 37,324,800; writes: call 0 writes 1536 × (3,750 − 3,000) = 1,152,000
    const [f] = runTool('prefix_caching', sharedPrefix(MIN, sonnet));
    expect(f!.saving_nanousd).toBe(36_172_800);
    expect(f!.evidence).toMatchObject({ explicit_writes: true });
  });

  it('finds nothing beyond the TTL, under the minimum prefix, or when already cached', () => {
    expect(runTool('prefix_caching', sharedPrefix(10 * MIN))).toEqual([]);
    expect(runTool('prefix_caching', sharedPrefix(MIN, haiku))).toEqual([]); // 1536 < 4096
    expect(runTool('prefix_caching', sharedPrefix(MIN).map((c, i) => ({ ...c, cached_input_tokens: i > 0 ? 1536 : 0 })))).toEqual([]);
  });
});

describe('cache_ttl_tuning', () => {
  it('moves prefixes that return every 10 min to the 1 h TTL', () => {
    // 5 min: nothing repeats → 0. 1 h: gap 13,824 × 2,700 = 37,324,800 minus the 1 h write premium
    // 1536 × (6,000 − 3,000) = 4,608,000 → 32,716,800, all incremental
    const [f] = runTool('cache_ttl_tuning', sharedPrefix(10 * MIN, sonnet));
    expect(f!.saving_nanousd).toBe(32_716_800);
    expect(f!.evidence).toMatchObject({ saving_5m_nanousd: 0, saving_1h_nanousd: 32_716_800 });
    expect(runTool('prefix_caching', sharedPrefix(10 * MIN, sonnet))).toEqual([]);
  });

  it('keeps the 5 min TTL when it already catches the repeats', () => {
    expect(runTool('cache_ttl_tuning', sharedPrefix(MIN, sonnet))).toEqual([]);
  });

  it('does not apply to implicit caches', () => {
    expect(runTool('cache_ttl_tuning', sharedPrefix(10 * MIN))).toEqual([]);
  });
});

describe('cache_write_unread', () => {
  it('charges the premium of writes nothing read', () => {
    // 5 writes of 2000 tokens an hour apart: 10,000 × (3,750 − 3,000) = 7,500,000
    const workload = calls(5, (i) => ({ ...sonnet, timestamp: T0 + i * HOUR, input_tokens: 3000, cache_write_tokens: 2000, prefix_hashes: prefix('w', 4, `${i}`, 1) }));
    const [f] = runTool('cache_write_unread', workload);
    expect(f!.saving_nanousd).toBe(7_500_000);
    expect(f!.calls_affected).toBe(5);
  });

  it('finds nothing when a later call reads the write within 5 min', () => {
    const workload = [
      call({ ...sonnet, timestamp: T0, input_tokens: 3000, cache_write_tokens: 2000, prefix_hashes: prefix('w', 4, 'a', 1) }),
      call({ ...sonnet, timestamp: T0 + 2 * MIN, input_tokens: 3000, cached_input_tokens: 2000, prefix_hashes: prefix('w', 4, 'b', 1) }),
    ];
    expect(runTool('cache_write_unread', workload)).toEqual([]);
  });
});

describe('exact_duplicates', () => {
  it('charges repeated prompts after an ok answer', () => {
    // 10 identical prompts 1 min apart: 9 duplicates × 3,500,000 = 31,500,000, 1 s latency each
    const [f] = runTool('exact_duplicates', calls(10, (i) => ({ timestamp: T0 + i * MIN, prompt_hash: 'same' })));
    expect(f!.saving_nanousd).toBe(31_500_000);
    expect(f!.latency_effect_ms).toBe(-1000);
    expect(f!.evidence.top_prompts).toEqual([{ provider: 'openai', model: 'gpt-4o', prompt_hash: 'same', calls: 10, dup_calls: 9, dup_cost_nanousd: 31_500_000 }]);
  });

  it('needs an ok predecessor within 24 h', () => {
    const failedFirst = [call({ prompt_hash: 'x', status: '500', output_tokens: 0 }), call({ prompt_hash: 'x', timestamp: T0 + 1000 })];
    expect(runTool('exact_duplicates', failedFirst)).toEqual([]);
    expect(runTool('exact_duplicates', calls(3, (i) => ({ prompt_hash: 'x', timestamp: T0 + i * 25 * HOUR })))).toEqual([]);
  });
});

describe('near_duplicates', () => {
  it('gives a semantic cache half of the near-repeats', () => {
    // 10 prompts sharing all but the last block, 1500 or 1504 tokens: calls 1..9 are near duplicates
    // 9 × (1500 × 2,500 + 100 × 10,000) = 42,750,000, plus 4 × 2,500 for each of the 5 odd calls = 42,800,000
    // saving = 0.5 × 42,800,000 = 21,400,000
    const workload = calls(10, (i) => ({ timestamp: T0 + i * MIN, input_tokens: 1500 + (i % 2) * 4, output_tokens: 100, prefix_hashes: prefix('faq', 2, `q${i}`, 1), prompt_hash: `q${i}` }));
    const [f] = runTool('near_duplicates', workload);
    expect(f!.evidence.near_dup_cost_nanousd).toBe(42_800_000);
    expect(f!.saving_nanousd).toBe(21_400_000);
    expect(f!.calls_affected).toBe(9);
    expect(f!.confidence).toBe('low');
  });

  it('ignores prompts of different lengths', () => {
    const workload = calls(10, (i) => ({ timestamp: T0 + i * MIN, input_tokens: 1500 + i * 100, prefix_hashes: prefix('faq', 2, `q${i}`, 1) }));
    expect(runTool('near_duplicates', workload)).toEqual([]);
  });
});

describe('cache_hit_rate and cache_min_prefix', () => {
  it('reports realised against potential cached share', () => {
    // 13,824 cacheable of 30,000 input tokens: 46.1%
    const [f] = runTool('cache_hit_rate', sharedPrefix(MIN));
    expect(f!.evidence).toMatchObject({ input_tokens: 30_000, cached_input_tokens: 0, cacheable_repeat_tokens: 13_824 });
  });

  it('flags repeated prefixes under the provider minimum', () => {
    const [f] = runTool('cache_min_prefix', sharedPrefix(MIN, haiku));
    expect(f!.evidence).toMatchObject({ repeat_tokens_at_512: 13_824, repeat_tokens_at_minimum: 0, min_tokens: 4096 });
    expect(runTool('cache_min_prefix', sharedPrefix(MIN, sonnet))).toEqual([]); // 1536 ≥ 1024
  });
});
