// The cost function against provider-published prices, every expected figure worked out by hand below
// (tokens × $/1M, summed, × 1,000 = nano-dollars), then against @pydantic/genai-prices' own calculator.
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { CATALOG, costNano, findModel, priceCall, type CallUsage, type CatalogModel } from '../../../engine/catalog';

function model(name: string, provider?: string): CatalogModel {
  const m = findModel(name, provider);
  if (!m) throw new Error(`catalog has no ${name}`);
  return m;
}

/** Σ tokens × $/1M → nano-dollars: $/1M·token = 1e-6 $ = 1,000 nano. */
const nano = (dollarsPerMTokens: number) => Math.round(dollarsPerMTokens * 1000);

describe('long-context tiers: the whole request at the higher rate above the threshold', () => {
  it('gemini-2.5-pro above 200k prompt tokens', () => {
    const m = model('gemini-2.5-pro');
    // published: ≤200k input $1.25, cached $0.125, output $10; >200k input $2.50, cached $0.25, output $15
    expect(m.prices.input_mtok).toEqual({ base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] });
    expect(m.prices.cache_read_mtok).toEqual({ base: 0.125, tiers: [{ start: 200_000, price: 0.25 }] });
    expect(m.prices.output_mtok).toEqual({ base: 10, tiers: [{ start: 200_000, price: 15 }] });
    // 250,000 prompt (50,000 cached), 4,000 out: 200,000×2.5 + 50,000×0.25 + 4,000×15 = 500,000 + 12,500 + 60,000
    expect(costNano(m, { input_tokens: 250_000, cached_input_tokens: 50_000, output_tokens: 4_000 })).toBe(nano(572_500));
    // exactly 200,000 is not above: 150,000×1.25 + 50,000×0.125 + 4,000×10 = 187,500 + 6,250 + 40,000
    expect(costNano(m, { input_tokens: 200_000, cached_input_tokens: 50_000, output_tokens: 4_000 })).toBe(nano(233_750));
    // two 150k calls summed: decided on the mean prompt (150k, base): 300,000×1.25 + 8,000×10 = 375,000 + 80,000
    expect(costNano(m, { input_tokens: 300_000, output_tokens: 8_000, calls: 2 })).toBe(nano(455_000));
  });

  it('gpt-5.4 above 272k (source threshold: more than 271,999)', () => {
    const m = model('gpt-5.4');
    // published: input $2.50 → $5, cached $0.25 → $0.50, output $15 → $22.50 for prompts of 272k and more
    // 300,000 prompt (100,000 cached), 2,000 out: 200,000×5 + 100,000×0.5 + 2,000×22.5 = 1,000,000 + 50,000 + 45,000
    expect(costNano(m, { input_tokens: 300_000, cached_input_tokens: 100_000, output_tokens: 2_000 })).toBe(nano(1_095_000));
    // 271,999: base: 171,999×2.5 + 100,000×0.25 + 2,000×15 = 429,997.5 + 25,000 + 30,000
    expect(costNano(m, { input_tokens: 271_999, cached_input_tokens: 100_000, output_tokens: 2_000 })).toBe(nano(484_997.5));
  });
});

describe('cache writes: Anthropic 5-minute and 1-hour priced differently', () => {
  const m = model('claude-sonnet-4-5');
  it('has the published rates', () => {
    // input $3, 5-min write $3.75 (1.25×), 1-hour write $6 (2×), read $0.30, output $15
    expect(m.prices.cache_write_mtok).toEqual({ base: 3.75, tiers: [{ start: 200_000, price: 7.5 }] });
    expect(m.prices.cache_write_1h_mtok).toEqual({ base: 6, tiers: [{ start: 200_000, price: 12 }] });
  });
  it('1h vs 5m vs mixed, with a cache read', () => {
    const base: CallUsage = { input_tokens: 14_000, cached_input_tokens: 2_000, cache_write_tokens: 10_000, output_tokens: 500 };
    // fresh 2,000×3 + read 2,000×0.3 + written + 500×15 = 6,000 + 600 + written + 7,500
    expect(costNano(m, base)).toBe(nano(6_000 + 600 + 10_000 * 3.75 + 7_500)); // 5m: 37,500 → 51,600
    expect(costNano(m, { ...base, cache_write_1h_tokens: 10_000 })).toBe(nano(6_000 + 600 + 10_000 * 6 + 7_500)); // 74,100
    expect(costNano(m, { ...base, cache_write_1h_tokens: 4_000 })).toBe(nano(6_000 + 600 + 4_000 * 6 + 6_000 * 3.75 + 7_500)); // 60,600
    expect(nano(6_000 + 600 + 10_000 * 3.75 + 7_500)).toBe(51_600_000);
  });
  it('batch halves every part, cache writes included', () => {
    const u: CallUsage = { input_tokens: 14_000, cached_input_tokens: 2_000, cache_write_tokens: 10_000, cache_write_1h_tokens: 10_000, output_tokens: 500 };
    // 74,100 × 0.5 = 37,050
    expect(costNano(m, { ...u, batch: true })).toBe(nano(37_050));
    expect(costNano(m, { ...u, service_tier: 'batch' })).toBe(nano(37_050));
  });
});

describe('reasoning tokens are output tokens, billed once', () => {
  it('o3 call with reasoning tokens (completion_tokens include them)', () => {
    const m = model('o3');
    // published since 2025-06-10: input $2, cached $0.50, output $8
    // prompt 3,000 (1,024 cached), completion 5,000 of which 4,200 reasoning:
    // 1,976×2 + 1,024×0.5 + 5,000×8 = 3,952 + 512 + 40,000 = 44,464
    const u: CallUsage = { input_tokens: 3_000, cached_input_tokens: 1_024, output_tokens: 5_000, reasoning_tokens: 4_200 };
    expect(costNano(m, u)).toBe(nano(44_464));
    // o3 before the 2025-06-10 price cut: input $10, output $40: 3,000×10 + 5,000×40 = 230,000
    expect(costNano(m, { input_tokens: 3_000, output_tokens: 5_000, reasoning_tokens: 4_200, timestamp: Date.parse('2025-05-01T12:00:00Z') })).toBe(nano(230_000));
    expect(costNano(m, { ...u, timestamp: Date.parse('2025-06-10T00:00:00Z') })).toBe(nano(44_464));
  });
});

describe('service tiers', () => {
  it('batch at 50 % (gpt-4o-mini: $0.15 in, $0.60 out)', () => {
    const m = model('gpt-4o-mini');
    // 1,000×0.15 + 500×0.6 = 150 + 300 = 450 → batch 225
    expect(costNano(m, { input_tokens: 1_000, output_tokens: 500 })).toBe(nano(450));
    expect(costNano(m, { input_tokens: 1_000, output_tokens: 500, batch: true })).toBe(nano(225));
  });
  it('flex at 50 % and priority at the published priority rate (gpt-5: $1.25 / $0.125 / $10; priority $2.50 / $0.25 / $20)', () => {
    const m = model('gpt-5');
    // 8,000×1.25 + 2,000×0.125 + 1,000×10 = 10,000 + 250 + 10,000 = 20,250
    const u: CallUsage = { input_tokens: 10_000, cached_input_tokens: 2_000, output_tokens: 1_000 };
    expect(costNano(m, u)).toBe(nano(20_250));
    expect(costNano(m, { ...u, service_tier: 'flex' })).toBe(nano(10_125));
    // priority: 8,000×2.5 + 2,000×0.25 + 1,000×20 = 20,000 + 500 + 20,000
    expect(costNano(m, { ...u, service_tier: 'priority' })).toBe(nano(40_500));
  });
  it('a tier the model has no price for is priced standard and flagged', () => {
    const m = model('llama-3.3-70b', 'groq');
    // $0.59 in, $0.79 out: 1,000×0.59 + 100×0.79 = 590 + 79
    const r = priceCall(m, { input_tokens: 1_000, output_tokens: 100, service_tier: 'flex' });
    expect(r.nano).toBe(nano(669));
    expect(r.flags).toEqual(['service_tier_unpriced']);
    expect(priceCall(m, { input_tokens: 1_000, output_tokens: 100 }).flags).toEqual([]);
  });
});

describe('audio tokens where priced', () => {
  it('gemini-2.5-flash: audio input and cached audio apart from text', () => {
    const m = model('gemini-2.5-flash');
    // published: text/image/video input $0.30, audio $1.00; cached text $0.03, cached audio $0.10; output $2.50 (thinking included)
    expect([m.prices.input_mtok, m.prices.input_audio_mtok, m.prices.cache_read_mtok, m.prices.cache_audio_read_mtok, m.prices.output_mtok])
      .toEqual([0.3, 1, 0.03, 0.1, 2.5]);
    // prompt 10,000 = 4,000 audio (1,000 of them cached) + 6,000 text (1,000 cached); output 1,000 (600 thoughts):
    // audio read 1,000×0.1 + text read 1,000×0.03 + fresh audio 3,000×1 + fresh text 5,000×0.3 + 1,000×2.5
    // = 100 + 30 + 3,000 + 1,500 + 2,500 = 7,130
    const u: CallUsage = {
      input_tokens: 10_000, cached_input_tokens: 2_000, input_audio_tokens: 4_000, cached_audio_tokens: 1_000,
      output_tokens: 1_000, reasoning_tokens: 600,
    };
    expect(costNano(m, u)).toBe(nano(7_130));
  });
});

describe('time-of-day prices', () => {
  it('deepseek-chat off-peak (16:30–00:30 UTC) at half price', () => {
    const m = model('deepseek-chat');
    // peak: $0.27 in, $0.07 cached, $1.10 out; off-peak: $0.135, $0.035, $0.55
    const u: CallUsage = { input_tokens: 1_000, cached_input_tokens: 200, output_tokens: 500 };
    // peak 12:00: 800×0.27 + 200×0.07 + 500×1.1 = 216 + 14 + 550 = 780
    expect(costNano(m, { ...u, timestamp: Date.parse('2026-11-02T12:00:00Z') })).toBe(nano(780));
    // off-peak 18:00: 800×0.135 + 200×0.035 + 500×0.55 = 108 + 7 + 275 = 390
    expect(costNano(m, { ...u, timestamp: Date.parse('2026-11-02T18:00:00Z') })).toBe(nano(390));
    expect(costNano(m, { ...u, timestamp: Date.parse('2026-11-02T00:15:00Z') })).toBe(nano(390));
    expect(costNano(m, { ...u, timestamp: Date.parse('2026-11-02T00:30:00Z') })).toBe(nano(780));
  });
});

describe('bad usage', () => {
  it('parts larger than their total are flagged, never billed twice', () => {
    const m = model('gpt-4o-mini');
    // cached 1,500 of a 1,000-token prompt: the 1,000 are billed as cached (1,000×0.075 = 75), the excess not at all
    const r = priceCall(m, { input_tokens: 1_000, cached_input_tokens: 1_500, output_tokens: 0 });
    expect(r.nano).toBe(nano(75));
    expect(r.flags).toEqual(['usage_parts_exceed_total']);
  });
});

describe('agrees with @pydantic/genai-prices calcPrice on every catalog model', () => {
  // genai-prices computes in float dollars; ours is rounded to the nano: they agree to 1e-9 $ per call.
  const usages: { ours: CallUsage; theirs: Record<string, number> }[] = [
    { ours: { input_tokens: 12_345, output_tokens: 678 }, theirs: { input_tokens: 12_345, output_tokens: 678 } },
    {
      ours: { input_tokens: 250_000, cached_input_tokens: 40_000, cache_write_tokens: 30_000, cache_write_1h_tokens: 10_000, output_tokens: 3_000 },
      theirs: { input_tokens: 250_000, cache_read_tokens: 40_000, cache_write_tokens: 30_000, cache_write_1h_tokens: 10_000, output_tokens: 3_000 },
    },
    {
      ours: { input_tokens: 9_000, cached_input_tokens: 3_000, input_audio_tokens: 2_000, cached_audio_tokens: 500, output_tokens: 800 },
      theirs: { input_tokens: 9_000, cache_read_tokens: 3_000, input_audio_tokens: 2_000, cache_audio_read_tokens: 500, output_tokens: 800 },
    },
  ];
  const at = [Date.parse('2026-11-02T03:00:00Z'), Date.parse('2026-11-02T13:00:00Z')];
  it('to 1e-9 dollars per call', () => {
    let compared = 0;
    for (const m of CATALOG) {
      const ref = /^([^/;]+)\/([^;]+)/.exec(m.source.note ?? '');
      if (!ref) throw new Error(`no source key for ${m.id}`);
      for (const u of usages) {
        for (const ts of at) {
          // the source's entry for this model, found by any of its names (calcPrice matches names, not ids)
          const theirs = [ref[2] as string, m.id, ...m.aliases]
            .map((name) => calcPrice(u.theirs, name, { providerId: ref[1] as string, timestamp: new Date(ts) }))
            .find((r) => r?.model.id === ref[2]);
          if (!theirs) throw new Error(`genai-prices has no ${ref[0]}`);
          const ours = costNano(m, { ...u.ours, timestamp: ts }) / 1e9;
          expect(Math.abs(ours - theirs.total_price), `${ref[0]} ${JSON.stringify(u.theirs)}`).toBeLessThanOrEqual(1e-9);
          compared++;
        }
      }
    }
    expect(compared).toBe(CATALOG.length * usages.length * at.length);
  });
});
