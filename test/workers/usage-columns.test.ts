// The token breakdowns and service tier of a call reach their ClickHouse columns (migration 0004), and the
// stored cost is priced by them.
import { describe, expect, it } from 'vitest';
import { clickhouse, createKey, drain, postCalls } from './ingest-support';
import { signUp } from './tenancy';

describe('llm_calls usage-detail columns', () => {
  it('stores every breakdown and the service tier as sent', async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest']);
    const ts = new Date(Date.now() - 60_000).toISOString();
    const sent = {
      request_id: 'req-details', timestamp: ts, model: 'claude-sonnet-4-5', provider: 'anthropic',
      input_tokens: 11_050, cached_input_tokens: 8_000, cache_write_tokens: 3_000, cache_write_1h_tokens: 2_000, output_tokens: 400,
      input_audio_tokens: 0, web_searches: 2, service_tier: 'batch',
    };
    const audio = {
      request_id: 'req-audio', timestamp: ts, model: 'gemini-2.5-flash', provider: 'google',
      input_tokens: 10_000, cached_input_tokens: 2_000, input_audio_tokens: 4_000, cached_audio_tokens: 1_000, input_image_tokens: 500,
      cached_image_tokens: 100, output_tokens: 1_000, reasoning_tokens: 600, output_audio_tokens: 50, output_image_tokens: 30,
    };
    const res = await postCalls(key, JSON.stringify([sent, audio]));
    expect(res.status, await res.clone().text()).toBe(202);
    await drain(t.org_id);
    const rows = await clickhouse<Record<string, number | string>>(
      `SELECT request_id, cache_write_1h_tokens, input_audio_tokens, cached_audio_tokens, input_image_tokens, cached_image_tokens,
              output_audio_tokens, output_image_tokens, web_searches, service_tier, cost_nanousd
       FROM llm_calls FINAL WHERE org_id = {org:String} ORDER BY request_id`,
      { org: t.org_id },
    );
    expect(rows).toEqual([
      {
        request_id: 'req-audio', cache_write_1h_tokens: 0, input_audio_tokens: 4_000, cached_audio_tokens: 1_000, input_image_tokens: 500,
        cached_image_tokens: 100, output_audio_tokens: 50, output_image_tokens: 30, web_searches: 0, service_tier: '',
        // gemini-2.5-flash: $0.30 text/image in, $1 audio in, $0.03 cached, $0.10 cached audio, $2.50 out:
        // audio read 1,000×0.1 + other reads 1,000×0.03 + fresh audio 3,000×1 + fresh rest (10,000−2,000−3,000)×0.3 + 1,000×2.5
        // = 100 + 30 + 3,000 + 1,500 + 2,500 = 7,130 ($/1M·tokens) → 7,130,000 nano
        cost_nanousd: 7_130_000,
      },
      {
        request_id: 'req-details', cache_write_1h_tokens: 2_000, input_audio_tokens: 0, cached_audio_tokens: 0, input_image_tokens: 0,
        cached_image_tokens: 0, output_audio_tokens: 0, output_image_tokens: 0, web_searches: 2, service_tier: 'batch',
        // claude-sonnet-4-5 batch (½): (50×3 + 8,000×0.3 + 1,000×3.75 + 2,000×6 + 400×15) × 0.5 + 2 searches × $10/1,000
        // = 24,300 × 0.5 = 12,150 → 12,150,000 nano, + $0.02 = 20,000,000 nano (a tool fee, not discounted by batch)
        cost_nanousd: 12_150_000 + 20_000_000,
      },
    ]);
  });
});
