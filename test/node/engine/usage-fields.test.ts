// Provider usage objects → record token fields without loss (engine/telemetry/usage.ts), through the import
// formats into priced records. Usage objects are shaped as the providers document them; expected fields are
// read from the objects here, expected costs worked out by hand from published $/1M prices.
import { describe, expect, it } from 'vitest';
import { parseStream } from '../../../engine/telemetry/import';
import type { LlmCall } from '../../../engine/telemetry/record';
import { normalizeCall } from '../../../engine/telemetry/normalize';
import { providerUsage } from '../../../engine/telemetry/usage';

const NOW = Date.UTC(2026, 10, 20);
const ctx = { source: 'api', now_ms: NOW, future_tolerance_ms: 0 };

async function parse(body: string, format: 'litellm' | 'helicone' | 'otlp' | 'openai_usage' | 'native') {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) });
  const calls: LlmCall[] = [];
  const rejected: string[] = [];
  for await (const item of parseStream(stream, { format, source: 'import:test', now_ms: NOW, future_tolerance_ms: 0 })) {
    if (item.ok) calls.push(item.call);
    else rejected.push(item.reason);
  }
  return { calls, rejected };
}

describe('providerUsage', () => {
  it('OpenAI Chat Completions: cached, audio, reasoning (parts of the totals)', () => {
    const usage = {
      prompt_tokens: 2_006, completion_tokens: 300, total_tokens: 2_306,
      prompt_tokens_details: { cached_tokens: 1_920, audio_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 20, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    expect(providerUsage(usage)).toEqual({
      input_tokens: 2_006, output_tokens: 300, cached_input_tokens: 1_920, cache_write_tokens: 0, reasoning_tokens: 192,
      input_audio_tokens: 40, output_audio_tokens: 20,
    });
  });

  it('OpenAI Responses: input_tokens_details / output_tokens_details', () => {
    const usage = { input_tokens: 5_000, input_tokens_details: { cached_tokens: 4_096 }, output_tokens: 900, output_tokens_details: { reasoning_tokens: 700 }, total_tokens: 5_900 };
    expect(providerUsage(usage, 'openai')).toEqual({ input_tokens: 5_000, output_tokens: 900, cached_input_tokens: 4_096, cache_write_tokens: 0, reasoning_tokens: 700 });
  });

  it('Anthropic: cache reads and writes counted apart, the 5m/1h split kept', () => {
    const usage = {
      input_tokens: 50, cache_read_input_tokens: 8_000, cache_creation_input_tokens: 3_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
      output_tokens: 400, server_tool_use: { web_search_requests: 2 }, service_tier: 'standard',
    };
    // the record's input includes the cache: 50 + 8,000 + 3,000
    expect(providerUsage(usage, 'anthropic')).toEqual({
      input_tokens: 11_050, output_tokens: 400, cached_input_tokens: 8_000, cache_write_tokens: 3_000, reasoning_tokens: 0,
      cache_write_1h_tokens: 2_000, web_searches: 2,
    });
    // no cache fields at all, provider named: still Anthropic's meaning of input_tokens
    expect(providerUsage({ input_tokens: 10, output_tokens: 5 }, 'anthropic')?.input_tokens).toBe(10);
  });

  it('Gemini: cachedContentTokenCount, thoughtsTokenCount (billed as output), modality details', () => {
    const usage = {
      promptTokenCount: 12_000, cachedContentTokenCount: 6_000, candidatesTokenCount: 500, thoughtsTokenCount: 1_200, totalTokenCount: 13_700,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9_000 }, { modality: 'AUDIO', tokenCount: 3_000 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 5_000 }, { modality: 'AUDIO', tokenCount: 1_000 }],
    };
    expect(providerUsage(usage)).toEqual({
      input_tokens: 12_000, output_tokens: 1_700, cached_input_tokens: 6_000, cache_write_tokens: 0, reasoning_tokens: 1_200,
      input_audio_tokens: 3_000, cached_audio_tokens: 1_000,
    });
  });

  it('is null for what is no usage object', () => {
    expect(providerUsage({ foo: 1 })).toBeNull();
    expect(providerUsage('12')).toBeNull();
  });
});

describe('records keep the breakdowns and are priced by them', () => {
  it('native record: 1h cache writes priced at the 1h rate (claude-sonnet-4-5: $3 in, $3.75 5m, $6 1h, $0.30 read, $15 out)', () => {
    const r = normalizeCall({
      timestamp: NOW - 60_000, model: 'claude-sonnet-4-5', provider: 'anthropic',
      input_tokens: 11_050, cached_input_tokens: 8_000, cache_write_tokens: 3_000, cache_write_1h_tokens: 2_000, output_tokens: 400,
    }, ctx);
    if (!r.ok) throw new Error(r.reason);
    expect(r.call.cache_write_1h_tokens).toBe(2_000);
    // 50×3 + 8,000×0.3 + 1,000×3.75 + 2,000×6 + 400×15 = 150 + 2,400 + 3,750 + 12,000 + 6,000 = 24,300 → ×1,000 nano
    expect(r.call.cost_nanousd).toBe(24_300_000);
  });

  it('rejects a 1h split larger than the writes, naming the field', () => {
    const r = normalizeCall({ timestamp: NOW - 1, model: 'claude-sonnet-4-5', input_tokens: 100, cache_write_tokens: 10, cache_write_1h_tokens: 20 }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/cache_write_1h_tokens/);
  });

  it('a service tier the model has no price for is flagged on the record, priced standard', () => {
    const r = normalizeCall({ timestamp: NOW - 1, model: 'gpt-4o-mini', provider: 'openai', input_tokens: 1_000, output_tokens: 500, service_tier: 'scale' }, ctx);
    if (!r.ok) throw new Error(r.reason);
    // 1,000×0.15 + 500×0.6 = 450
    expect(r.call.cost_nanousd).toBe(450_000);
    expect(r.call.service_tier).toBe('scale');
    expect(r.call.metadata.cost_flags).toEqual(['service_tier_unpriced']);
  });

  it('a model with no price is flagged unknown_model and its cost stays null (never a silent zero)', () => {
    const r = normalizeCall({ timestamp: NOW - 1, model: 'acme-llm-7', provider: 'acme', input_tokens: 1_000, output_tokens: 500 }, ctx);
    if (!r.ok) throw new Error(r.reason);
    expect(r.call.cost_nanousd).toBeNull();
    expect(r.call.metadata.cost_flags).toEqual(['unknown_model']);
  });

  it('flex on o3 at half price ($2 in, $8 out)', () => {
    const r = normalizeCall({ timestamp: NOW - 1, model: 'o3', provider: 'openai', input_tokens: 1_000, output_tokens: 2_000, reasoning_tokens: 1_500, service_tier: 'flex' }, ctx);
    if (!r.ok) throw new Error(r.reason);
    // (1,000×2 + 2,000×8) × 0.5 = 9,000
    expect(r.call.cost_nanousd).toBe(9_000_000);
    expect(r.call.metadata.cost_flags).toBeUndefined();
  });

  it('LiteLLM usage_object: Anthropic 1h split and OpenAI audio tokens', async () => {
    const usage = {
      prompt_tokens: 11_050, completion_tokens: 400,
      prompt_tokens_details: { cached_tokens: 8_000 }, cache_read_input_tokens: 8_000, cache_creation_input_tokens: 3_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
    };
    const row = {
      request_id: 'chatcmpl-1', startTime: new Date(NOW - 60_000).toISOString(), endTime: new Date(NOW - 59_000).toISOString(),
      model: 'claude-sonnet-4-5', custom_llm_provider: 'anthropic', spend: 0, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens,
      metadata: { usage_object: usage }, status: 'success',
    };
    const { calls, rejected } = await parse(JSON.stringify([row]), 'litellm');
    expect(rejected).toEqual([]);
    expect(calls[0]).toMatchObject({ input_tokens: 11_050, cached_input_tokens: 8_000, cache_write_tokens: 3_000, cache_write_1h_tokens: 2_000 });
  });

  it('OpenAI usage export: audio tokens and service tier are record fields', async () => {
    const page = {
      object: 'page',
      data: [{
        object: 'bucket', start_time: Math.floor((NOW - 86_400_000) / 1000), end_time: Math.floor(NOW / 1000),
        results: [{
          object: 'organization.usage.completions.result', input_tokens: 3_000, output_tokens: 800, input_cached_tokens: 1_000,
          input_audio_tokens: 200, output_audio_tokens: 100, num_model_requests: 3, model: 'gpt-5', batch: false, service_tier: 'priority',
        }],
      }],
    };
    const { calls, rejected } = await parse(JSON.stringify(page), 'openai_usage');
    expect(rejected).toEqual([]);
    expect(calls[0]).toMatchObject({ input_audio_tokens: 200, output_audio_tokens: 100, service_tier: 'priority' });
    // gpt-5 priority = 2× ($1.25 in, $0.125 cached, $10 out): (2,000×1.25 + 1,000×0.125 + 800×10) × 2 = (2,500 + 125 + 8,000) × 2
    expect(calls[0]!.cost_nanousd).toBe(21_250_000);
  });
});
