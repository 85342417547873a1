// Performance tools on hand-made workloads (gpt-4o: $2.5 / $10 per 1M → 2,500 / 10,000 nano per token).
import { describe, expect, it } from 'vitest';
import { MIN, T0, call, calls, runTool } from './tools-fixtures.js';

describe('latency_percentiles', () => {
  it('reports nearest-rank latency and TTFT per model', () => {
    const [f] = runTool('latency_percentiles', calls(100, (i) => ({ timestamp: T0 + i, latency_ms: 100 - i, ttft_ms: 1 + (i % 10) })));
    expect(f!.evidence.latency_ms).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(f!.evidence.ttft_ms).toMatchObject({ p50: 5, p95: 10 });
    expect(f!.where).toEqual({ provider: 'openai', model: 'gpt-4o' });
  });

  it('is silent without latency data', () => {
    expect(runTool('latency_percentiles', [call({ latency_ms: null })])).toEqual([]);
  });
});

describe('streaming_opportunity', () => {
  // 30 user-facing unstreamed calls at 5 s; 10 streamed calls of the same model show a TTFT of 800 ms.
  const workload = (over = {}) => [
    ...calls(30, (i) => ({ user: `u${i}`, timestamp: T0 + i * MIN, latency_ms: 5000, stream: false, ...over })),
    ...calls(10, (i) => ({ feature: 'assistant', user: 'u', timestamp: T0 + i * MIN, latency_ms: 3000, ttft_ms: 800, stream: true })),
  ];

  it('turns a 5 s wait into the TTFT', () => {
    const [f, ...rest] = runTool('streaming_opportunity', workload());
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('saving');
    expect(f!.saving_nanousd).toBe(0);
    expect(f!.latency_effect_ms).toBe(-4200); // −(5000 − 800)
    expect(f!.calls_affected).toBe(30);
  });

  it('ignores fast, streamed or backend traffic', () => {
    expect(runTool('streaming_opportunity', workload({ latency_ms: 1500 }))).toEqual([]);
    expect(runTool('streaming_opportunity', workload({ user: undefined }))).toEqual([]);
    expect(runTool('streaming_opportunity', workload({ stream: true, ttft_ms: 900 }))).toEqual([]);
  });
});

describe('timeout_clustering', () => {
  it('finds latencies piling up at 30 s', () => {
    const workload = [...calls(90, (i) => ({ timestamp: T0 + i, latency_ms: 2000 + i })), ...calls(10, (i) => ({ timestamp: T0 + i, latency_ms: 30_000 + 90 * i, status: 'timeout', output_tokens: 0 }))];
    const [f] = runTool('timeout_clustering', workload);
    expect(f!.evidence.clusters).toEqual([{ limit_s: 30, calls: 10 }]);
    expect(f!.calls_affected).toBe(10);
  });

  it('needs at least 5 calls at the limit', () => {
    expect(runTool('timeout_clustering', calls(4, () => ({ latency_ms: 30_500 })))).toEqual([]);
  });
});

describe('rate_limit_storms', () => {
  it('finds minutes of 429s retried within a second', () => {
    // one minute: 10 calls rate-limited, each retried 200 ms later → 20 calls, 50% 429, 10 fast retries
    const workload = calls(20, (i) => ({ timestamp: T0 + Math.floor(i / 2) * 1000 + (i % 2) * 200, prompt_hash: `p${Math.floor(i / 2)}`, user: 'svc', status: i % 2 ? 'ok' : '429', output_tokens: i % 2 ? 100 : 0 }));
    const [f] = runTool('rate_limit_storms', workload);
    expect(f!.evidence).toMatchObject({ storm_minutes: 1, status_429_calls: 10, fast_retry_after_429_calls: 10, retry_wait_ms: 2000 });
    expect(f!.calls_affected).toBe(20);
  });

  it('does not call backed-off retries a storm', () => {
    const workload = calls(20, (i) => ({ timestamp: T0 + Math.floor(i / 2) * 5000 + (i % 2) * 2000, prompt_hash: `p${Math.floor(i / 2)}`, status: i % 2 ? 'ok' : '429', output_tokens: 0 }));
    expect(runTool('rate_limit_storms', workload)).toEqual([]);
  });
});

describe('retry_waste', () => {
  it('charges failed calls that were billed for output', () => {
    // 5 time-outs after 200 output tokens: 5 × (1000 × 2,500 + 200 × 10,000) = 22,500,000; 5 without output cost nothing
    const workload = [
      ...calls(5, (i) => ({ timestamp: T0 + i * MIN, status: 'timeout', output_tokens: 200, prompt_hash: `t${i}`, user: 'u' })),
      ...calls(5, (i) => ({ timestamp: T0 + i * MIN + 3000, prompt_hash: `t${i}`, user: 'u' })),
      ...calls(5, (i) => ({ timestamp: T0 + i * MIN, status: '500', output_tokens: 0 })),
    ];
    const [f] = runTool('retry_waste', workload);
    expect(f!.saving_nanousd).toBe(22_500_000);
    expect(f!.calls_affected).toBe(5);
    expect(f!.latency_effect_ms).toBe(-3000); // 5 retries, 3 s each
  });

  it('finds nothing when failures are not billed', () => {
    expect(runTool('retry_waste', calls(5, () => ({ status: '503', output_tokens: 0 })))).toEqual([]);
  });
});

describe('output_length_caps', () => {
  it('caps max_tokens at the p95', () => {
    // 95 × 100 + 5 × 2100 output tokens: p95 = 100, 5 × 2000 = 10,000 tokens above it (50% of output)
    // saving = 10,000 × 10,000 = 100,000,000
    const [f] = runTool('output_length_caps', calls(100, (i) => ({ timestamp: T0 + i, output_tokens: i < 95 ? 100 : 2100 })));
    expect(f!.saving_nanousd).toBe(100_000_000);
    expect(f!.title).toContain('100');
  });

  it('leaves a tight distribution alone', () => {
    // 98 × 100 + 2 × 150: 2 × 50 = 100 tokens above the p95 (100) = 1% < 5%
    expect(runTool('output_length_caps', calls(100, (i) => ({ timestamp: T0 + i, output_tokens: i < 98 ? 100 : 150 })))).toEqual([]);
  });
});

describe('reasoning_token_share', () => {
  it('trims reasoning when it is most of the output', () => {
    // 20 calls × 1000 output of which 600 reasoning: share 0.6; saving 0.3 × 12,000 × 10,000 = 36,000,000
    const [f] = runTool('reasoning_token_share', calls(20, (i) => ({ timestamp: T0 + i, output_tokens: 1000, reasoning_tokens: 600 })));
    expect(f!.saving_nanousd).toBe(36_000_000);
  });

  it('needs reasoning to be at least half of the output', () => {
    expect(runTool('reasoning_token_share', calls(20, () => ({ output_tokens: 1000, reasoning_tokens: 400 })))).toEqual([]);
  });
});

describe('context_bloat', () => {
  it('halves the uncached prompt of input-heavy features', () => {
    // 20 × (10,000 in, 2,000 of them cached, 100 out): ratio 100 > 20
    // saving = 0.5 × (200,000 − 40,000) × 2,500 = 200,000,000
    const [f] = runTool('context_bloat', calls(20, (i) => ({ timestamp: T0 + i, input_tokens: 10_000, cached_input_tokens: 2000, output_tokens: 100 })));
    expect(f!.saving_nanousd).toBe(200_000_000);
  });

  it('ignores balanced prompts', () => {
    expect(runTool('context_bloat', calls(20, () => ({ input_tokens: 2000, output_tokens: 100 })))).toEqual([]);
  });
});
