import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  blendedPerM,
  catalogQuery,
  costNano,
  coversModality,
  estimateRequest,
  estimateWorkload,
  findModel,
  queryCatalog,
  sameOpenModel,
  substitutes,
  type CatalogModel,
} from '../../../engine/catalog';

function model(name: string, provider?: string): CatalogModel {
  const m = findModel(name, provider);
  if (!m) throw new Error(`catalog has no ${name}`);
  return m;
}

const key = (m: CatalogModel | undefined) => (m ? `${m.provider}/${m.id}` : undefined);

describe('catalog data', () => {
  it('has at least 80 models across the required vendors and providers', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(80);
    const vendors = new Set(CATALOG.map((m) => m.vendor));
    for (const v of ['openai', 'anthropic', 'google', 'mistral', 'meta', 'deepseek', 'xai', 'cohere']) {
      expect(vendors, v).toContain(v);
    }
    const llamaHosts = new Set(CATALOG.filter((m) => m.vendor === 'meta').map((m) => m.provider));
    expect(llamaHosts.size).toBeGreaterThanOrEqual(4);
    const openaiEmbeddings = CATALOG.filter((m) => m.provider === 'openai' && m.modality === 'embedding');
    expect(openaiEmbeddings.map((m) => m.id)).toEqual(expect.arrayContaining(['text-embedding-3-small', 'text-embedding-3-large']));
  });

  it('gives every price a source with package version and date', () => {
    for (const m of CATALOG) {
      expect(m.source.name, m.id).toMatch(/^@pydantic\/genai-prices@\d+\.\d+\.\d+$/);
      expect(m.source.date, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(m.input_per_m, m.id).toBeGreaterThanOrEqual(0);
      expect(m.context_window, m.id).toBeGreaterThan(0);
    }
  });

  it('is sorted by provider then id, with unique provider/id pairs', () => {
    const keys = CATALOG.map((m) => `${m.provider}\n${m.id}`);
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('applies the documented batch and caching rules', () => {
    expect(model('gpt-4o').batch_discount).toBe(0.5);
    expect(model('claude-haiku-4-5').batch_discount).toBe(0.5);
    expect(model('gemini-2.5-flash').batch_discount).toBe(0.5);
    expect(model('llama-3.3-70b', 'groq').batch_discount).toBe(0);
    expect(model('gpt-4o')).toMatchObject({ cache_min_tokens: 1024, cache_ttl_s: 300 });
    expect(model('claude-haiku-4-5')).toMatchObject({ cache_min_tokens: 4096, cache_ttl_s: 300 });
    expect(model('gemini-2.5-pro')).toMatchObject({ cache_min_tokens: 4096, cache_ttl_s: 3600 });
    expect(model('llama-3.3-70b', 'groq')).toMatchObject({ cache_min_tokens: null, cache_ttl_s: null });
  });

  it('tiers same-family downgrades one step apart', () => {
    expect(model('gpt-5.4').tier).toBe('frontier');
    expect(model('gpt-5.4-mini').tier).toBe('high');
    expect(model('claude-sonnet-4-6').tier).toBe('high');
    expect(model('claude-haiku-4-5').tier).toBe('mid');
    expect(model('text-embedding-3-small').tier).toBe('embedding');
  });
});

describe('findModel', () => {
  it.each([
    ['gpt-4o', undefined, 'openai/gpt-4o'],
    ['GPT-4o', undefined, 'openai/gpt-4o'],
    ['openai/gpt-4o', undefined, 'openai/gpt-4o'],
    ['azure/gpt-4o', undefined, 'openai/gpt-4o'],
    ['gpt-4o-2024-08-06', undefined, 'openai/gpt-4o'],
    ['gpt-4o-mini-2024-07-18', undefined, 'openai/gpt-4o-mini'],
    ['claude-3-5-sonnet-20241022', undefined, 'anthropic/claude-3-5-sonnet'],
    ['anthropic/claude-3-5-sonnet-20241022', undefined, 'anthropic/claude-3-5-sonnet'],
    ['claude-3-5-sonnet@20240620', 'vertex_ai', 'anthropic/claude-3-5-sonnet'],
    ['claude-haiku-4.5', undefined, 'anthropic/claude-haiku-4-5'],
    ['bedrock/us.anthropic.claude-sonnet-4-6-v1:0', undefined, 'bedrock/anthropic.claude-sonnet-4-6-v1:0'],
    ['claude-sonnet-4-6', 'bedrock', 'bedrock/anthropic.claude-sonnet-4-6-v1:0'],
    ['bedrock/meta.llama3-3-70b-instruct-v1:0', undefined, 'bedrock/meta.llama3-3-70b-instruct-v1:0'],
    ['models/gemini-2.5-flash', undefined, 'google/gemini-2.5-flash'],
    ['gemini/gemini-2.5-flash', undefined, 'google/gemini-2.5-flash'],
    ['openrouter/google/gemini-2.5-pro', undefined, 'google/gemini-2.5-pro'],
    ['xai/grok-4', undefined, 'xai/grok-4-0709'],
    ['mistral-large-latest', undefined, 'mistral/mistral-large-2512'],
    ['text-embedding-3-small', undefined, 'openai/text-embedding-3-small'],
  ])('%s (provider %s) → %s', (name, provider, expected) => {
    expect(key(findModel(name, provider))).toBe(expected);
  });

  it('lets the provider pick among the hosts of an open model', () => {
    expect(key(findModel('llama-3.3-70b', 'groq'))).toBe('groq/llama-3.3-70b-versatile');
    expect(key(findModel('meta-llama/Llama-3.3-70B-Instruct', 'together_ai'))).toBe('together/meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(key(findModel('together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo'))).toBe('together/meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(key(findModel('openai/gpt-oss-120b', 'fireworks'))).toBe('fireworks/accounts/fireworks/models/gpt-oss-120b');
    expect(findModel('llama-3.3-70b', 'bedrock')?.open_model).toBe('llama-3.3-70b');
  });

  it('without a provider, picks the cheapest host of an open model', () => {
    const hosts = CATALOG.filter((m) => m.open_model === 'llama-3.3-70b');
    const cheapest = Math.min(...hosts.map(blendedPerM));
    expect(blendedPerM(model('llama-3.3-70b'))).toBe(cheapest);
  });

  it('returns undefined for unknown or malformed names, never throws', () => {
    for (const name of ['no-such-model', '', '   ', '/', 'openai/', 'ft:gpt-4o-mini-2024-07-18:acme::x1', 'x'.repeat(5000)]) {
      expect(findModel(name)).toBeUndefined();
    }
    expect(findModel(undefined as unknown as string)).toBeUndefined();
    expect(findModel('no-such-model', 'openai')).toBeUndefined();
  });

  it('returns the same object on repeated calls (memoized)', () => {
    expect(findModel('OpenAI/GPT-4o-2024-11-20')).toBe(findModel('OpenAI/GPT-4o-2024-11-20'));
  });
});

describe('costNano', () => {
  it('gpt-4o-mini: 1,000 in / 500 out', () => {
    const m = model('gpt-4o-mini');
    expect([m.input_per_m, m.output_per_m]).toEqual([0.15, 0.6]);
    // 1000 × $0.15/1M + 500 × $0.60/1M = $0.00015 + $0.0003 = 450,000 nano-dollars
    expect(costNano(m, { input_tokens: 1000, output_tokens: 500 })).toBe(450_000);
    expect(costNano(m, { input_tokens: 1000, output_tokens: 500, batch: true })).toBe(225_000);
  });

  it('claude-sonnet-4-6 with cache reads and writes, and in batch', () => {
    const m = model('claude-sonnet-4-6');
    expect([m.input_per_m, m.cached_input_per_m, m.cache_write_per_m, m.output_per_m]).toEqual([3, 0.3, 3.75, 15]);
    const usage = { input_tokens: 10_000, cached_input_tokens: 6_000, cache_write_tokens: 2_000, output_tokens: 800 };
    // uncached 2000×3 + cached 6000×0.3 + written 2000×3.75 + out 800×15 = 6000+1800+7500+12000 = $27,300/1M
    expect(costNano(m, usage)).toBe(27_300_000);
    expect(costNano(m, { ...usage, batch: true })).toBe(13_650_000);
  });

  it('bills reasoning tokens at the output price, once (they are part of output_tokens)', () => {
    const m = model('o4-mini');
    expect([m.input_per_m, m.output_per_m]).toEqual([1.1, 4.4]);
    // 1234×1.1 + 1000×4.4 = 1357.4 + 4400 = $5,757.4/1M
    expect(costNano(m, { input_tokens: 1234, output_tokens: 1000, reasoning_tokens: 900 })).toBe(5_757_400);
  });

  it('uses the input price when a model has no cached or write rate', () => {
    const m = model('llama-3.3-70b', 'groq');
    expect([m.input_per_m, m.output_per_m, m.cached_input_per_m]).toEqual([0.59, 0.79, null]);
    expect(costNano(m, { input_tokens: 1000, cached_input_tokens: 400, cache_write_tokens: 100, output_tokens: 0 })).toBe(590_000);
    expect(costNano(m, { input_tokens: 1000, output_tokens: 0, batch: true })).toBe(590_000);
  });

  it('rounds once per call to an integer', () => {
    const m = model('amazon.nova-micro-v1:0', 'bedrock');
    expect(m.cached_input_per_m).toBe(0.00875);
    // 2 cached tokens × 8.75 nano = 17.5 → 18
    expect(costNano(m, { input_tokens: 2, cached_input_tokens: 2, output_tokens: 0 })).toBe(18);
    for (const c of CATALOG) {
      expect(Number.isInteger(costNano(c, { input_tokens: 12_345, cached_input_tokens: 2_345, output_tokens: 678 })), c.id).toBe(true);
    }
  });
});

describe('substitutes and sameOpenModel', () => {
  it('never returns a dearer model, the model itself, or one that lacks its modality', () => {
    const violations: string[] = [];
    for (const m of CATALOG) {
      const subs = substitutes(m);
      for (const s of subs) {
        const bad = s === m || blendedPerM(s) >= blendedPerM(m) || !coversModality(s.modality, m.modality)
          || (s.modality === 'embedding') !== (m.modality === 'embedding');
        if (bad) violations.push(`${m.provider}/${m.id} → ${s.provider}/${s.id}`);
      }
      const prices = subs.map(blendedPerM);
      if (prices.some((p, i) => i > 0 && p < prices[i - 1]!)) violations.push(`${m.id}: not sorted by price`);
    }
    expect(violations).toEqual([]);
  });

  it('stands in only at the same or a higher measured tier (engine/catalog/capabilities.ts)', () => {
    const ids = (m: CatalogModel) => substitutes(m).map(key);
    expect(ids(model('gpt-4o'))).toContain('openai/gpt-4o-mini'); // Arena 1265.1 and 1272.4: both mid
    expect(ids(model('claude-3-7-sonnet'))).not.toContain('anthropic/claude-3-5-haiku'); // mid (1312.9) → small (1236.1)
    expect(ids(model('text-embedding-ada-002'))).toContain('openai/text-embedding-3-small'); // MTEB 61.0 → 62.3
    expect(ids(model('text-embedding-3-large'))).not.toContain('openai/text-embedding-3-small'); // 64.6 → 62.3
    // models after the benchmark snapshot are unrated: no stand-in is known to be good enough
    expect(ids(model('gpt-5.4'))).toEqual([]);
  });

  it('lists the other providers of the same open weights, cheapest first', () => {
    const groq = model('llama-3.3-70b', 'groq');
    const others = sameOpenModel(groq);
    expect(others.length).toBeGreaterThanOrEqual(2);
    expect(others).not.toContain(groq);
    for (const o of others) expect(o.open_model).toBe('llama-3.3-70b');
    expect(new Set(others.map((o) => o.provider))).toEqual(new Set(['together', 'bedrock']));
    const prices = others.map(blendedPerM);
    expect([...prices].sort((a, b) => a - b)).toEqual(prices);
    expect(sameOpenModel(model('gpt-4o'))).toEqual([]);
  });
});

describe('queryCatalog', () => {
  it('filters by provider (any spelling), tier, modality, prices and text', () => {
    const together = queryCatalog({ provider: 'together_ai', limit: 100 }).items;
    expect(together.length).toBeGreaterThan(0);
    expect(together.every((m) => m.provider === 'together')).toBe(true);

    const cheapSmall = queryCatalog({ tier: 'small', max_input_per_m: 0.1, max_output_per_m: 0.2, limit: 100 }).items;
    expect(cheapSmall.length).toBeGreaterThan(0);
    expect(cheapSmall.every((m) => m.tier === 'small' && m.input_per_m <= 0.1 && m.output_per_m <= 0.2)).toBe(true);

    const images = queryCatalog({ modality: 'text+image', limit: 100 }).items;
    expect(images.every((m) => m.modality === 'text+image' || m.modality === 'text+image+audio')).toBe(true);

    const llama = queryCatalog({ q: 'LLAMA-3.3', limit: 100 }).items;
    expect(llama.length).toBeGreaterThanOrEqual(3);
    expect(llama.every((m) => m.open_model === 'llama-3.3-70b')).toBe(true);
  });

  it('pages through everything in a stable order with no gaps or repeats', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = queryCatalog({ limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((m) => `${m.provider}/${m.id}`));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 100);
    expect(seen).toEqual(CATALOG.map((m) => `${m.provider}/${m.id}`));

    const first = queryCatalog({ provider: 'openai', limit: 5 });
    const second = queryCatalog({ provider: 'openai', limit: 5, cursor: first.next_cursor ?? undefined });
    expect(second.items[0]?.id).not.toBe(first.items[4]?.id);
    expect(second.items.every((m) => m.provider === 'openai')).toBe(true);
    expect(queryCatalog({ provider: 'no-such-provider' })).toEqual({ items: [], next_cursor: null });
  });

  it('validates the query string and rejects malformed cursors', () => {
    const parsed = catalogQuery.safeParse({ limit: '5', max_input_per_m: '1.5', tier: 'mid' });
    expect(parsed.success && parsed.data).toMatchObject({ limit: 5, max_input_per_m: 1.5, tier: 'mid' });
    expect(catalogQuery.safeParse({ cursor: 'not a cursor!' }).success).toBe(false);
    expect(catalogQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(catalogQuery.safeParse({ tier: 'huge' }).success).toBe(false);
    expect(() => queryCatalog({ cursor: '%%%' })).toThrow(RangeError);
  });
});

describe('estimateWorkload', () => {
  const profile = { calls_per_month: 1_000_000, avg_input_tokens: 2000, avg_output_tokens: 300, cached_share: 0.5, batch_share: 0.2 };

  it('prices a profile on the current model and sorts candidates by cost with savings', () => {
    const r = estimateWorkload(profile, { current_model: 'gpt-4o' });
    // per call: 1000×2.5 + 1000×1.25 + 300×10 = $6,750/1M = 6,750,000 nano; batch half.
    // 800,000 × 6,750,000 + 200,000 × 3,375,000 = 6.075e12 nano = $6,075
    expect(r.current).toEqual({ model: expect.objectContaining({ provider: 'openai', id: 'gpt-4o' }), cost_usd: 6075 });
    expect(r).toMatchObject({ basis: 'profile', period: 'month', calls: 1_000_000, unpriced_calls: 0 });
    const costs = r.candidates.map((c) => c.cost_usd);
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    for (const c of r.candidates) {
      expect(c.saving_usd).toBeCloseTo(6075 - c.cost_usd, 9);
      expect(c.saving_pct).toBeCloseTo(((6075 - c.cost_usd) / 6075) * 100, 1);
    }
    const mini = r.candidates.find((c) => c.model.id === 'gpt-4o-mini');
    // per call: 1000×0.15 + 1000×0.075 + 300×0.6 = 405,000 nano; batch 202,500 → $364.5
    expect(mini?.cost_usd).toBe(364.5);
    expect(mini?.saving_usd).toBe(5710.5);
  });

  it('drops candidates whose context window is too small', () => {
    const r = estimateWorkload({ ...profile, avg_input_tokens: 150_000 }, { current_model: 'gpt-4.1', limit: 100 });
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) expect(findModel(c.model.id, c.model.provider)?.context_window).toBeGreaterThanOrEqual(150_000);
  });

  it('prices a sample against its own mix and flags unknown models', () => {
    const sample = [
      { model: 'gpt-4o-2024-08-06', input_tokens: 1000, output_tokens: 500 },
      { model: 'gpt-4o', input_tokens: 3000, output_tokens: 100, cached_input_tokens: 2048 },
      { model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500 },
      { model: 'mystery-model', input_tokens: 10, output_tokens: 10 },
    ];
    const body = estimateRequest.parse({ workload: sample });
    const r = estimateWorkload(body.workload, body);
    // gpt-4o: 1000×2.5+500×10 = 7,500,000; 952×2.5+2048×1.25+100×10 = 5,940,000; gpt-4o-mini: 450,000
    expect(r.current).toEqual({ model: null, cost_usd: 0.01389 });
    expect(r).toMatchObject({ basis: 'sample', period: 'sample', calls: 3, unpriced_calls: 1, unknown_models: ['mystery-model'] });
    // The biggest spender (gpt-4o) is the reference: its cheaper stand-ins are the candidates.
    expect(r.candidates.map((c) => c.model.id)).toContain('gpt-4o-mini');
    expect(r.candidates[0]!.saving_usd).toBeGreaterThan(0);
  });

  it('prices nothing when no model of a sample is known', () => {
    const r = estimateWorkload([{ model: 'mystery', input_tokens: 10, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, batch: false }]);
    expect(r).toMatchObject({ current: null, candidates: [], calls: 0, unpriced_calls: 1, unknown_models: ['mystery'] });
  });

  it('has no current cost without a known current model', () => {
    const r = estimateWorkload(profile, { current_model: 'no-such-model', limit: 3 });
    expect(r.current).toBeNull();
    expect(r.unknown_models).toEqual(['no-such-model']);
    expect(r.candidates).toHaveLength(3);
    expect(r.candidates.every((c) => c.saving_usd === null && c.saving_pct === null)).toBe(true);
  });

  it('validates the request body strictly', () => {
    expect(estimateRequest.safeParse({ workload: profile, current_model: 'gpt-4o' }).success).toBe(true);
    expect(estimateRequest.safeParse({ workload: [{ model: 'gpt-4o', input_tokens: 5 }] }).success).toBe(true);
    expect(estimateRequest.safeParse({ workload: profile, extra: 1 }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: { ...profile, bogus: true } }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: { ...profile, cached_share: 1.5 } }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: { ...profile, calls_per_month: 0 } }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: [] }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: [{ model: 'gpt-4o', input_tokens: -1 }] }).success).toBe(false);
    expect(estimateRequest.safeParse({ workload: [{ model: 'gpt-4o', input_tokens: 10, cached_input_tokens: 11 }] }).success).toBe(false);
  });
});
