// Builds engine/catalog/models.generated.json from the maintained price data of @pydantic/genai-prices
// (Pydantic's provider/model price database, shipped inside the npm package: no network needed).
// Run: `npx tsx scripts/build-catalog.ts` (or `npm run catalog:refresh`). To refresh prices, bump the
// pinned devDependency and re-run; with the same package version the output is byte-identical.
//
// What comes from the source: every price rule (input/output/cache-read/cache-write 5-min and 1-hour,
// audio/image token prices, long-context tiers, per-1,000 tool prices, dated and time-of-day price lists,
// all kept as the source has them in `prices` / `price_periods`), context windows, model-name patterns
// (→ aliases), pricing URLs, Gemini's flex/priority multipliers (from the source's price comments). The
// flat *_per_m fields are the base rates of the list in force on the source date for most hours of the day
// (for ranking and filters; costs use the full rules). What this script adds, by the rules below (not
// per-model typing): which models are in the catalog (SELECTION), open-weights identity (OPEN_MODELS),
// capability tier, modality, batch discount, OpenAI flex/priority multipliers and prompt-cache rules
// (LEVERS.md L1/L2). The source has no max-output field, so max_output_tokens is null.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { findProvider, type MatchLogic, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import type { CapabilityTier, CatalogModel, Modality, PriceList, PricePeriod, PriceSource, ServiceTiers, TieredPrice } from '../engine/catalog/types';

const SOURCE_PKG = '@pydantic/genai-prices';
const OUT = new URL('../engine/catalog/models.generated.json', import.meta.url);
const PKG_JSON = new URL('../node_modules/@pydantic/genai-prices/package.json', import.meta.url);

/** genai-prices provider id → our provider name. */
const PROVIDERS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  mistral: 'mistral',
  deepseek: 'deepseek',
  'x-ai': 'xai',
  cohere: 'cohere',
  groq: 'groq',
  together: 'together',
  fireworks: 'fireworks',
  aws: 'bedrock',
  cerebras: 'cerebras',
};

/** Vendor of every model a provider serves when it is the model's own creator. */
const FIRST_PARTY: Record<string, string> = {
  openai: 'openai', anthropic: 'anthropic', google: 'google', mistral: 'mistral',
  deepseek: 'deepseek', xai: 'xai', cohere: 'cohere',
};

/** Bedrock model ids start with the vendor ("meta.llama3-3-70b-…", "global.anthropic.claude-…"). */
const BEDROCK_VENDORS: Record<string, string> = {
  anthropic: 'anthropic', meta: 'meta', mistral: 'mistral', openai: 'openai',
  deepseek: 'deepseek', google: 'google', amazon: 'amazon',
};

interface OpenModel {
  vendor: string;
  tier: CapabilityTier;
  /** Names of the weights as other tools spell them (Hugging Face repo, litellm); become aliases. */
  names: string[];
}

/**
 * Open-weights models served by several providers (LEVERS L8). The key is the canonical open_model id.
 * Tier by size class: ≥ ~230B total params = high, 70–120B class = mid, ≤ ~35B = small.
 */
const OPEN_MODELS: Record<string, OpenModel> = {
  'llama-3.3-70b': { vendor: 'meta', tier: 'mid', names: ['meta-llama/Llama-3.3-70B-Instruct', 'llama-3.3-70b-instruct', 'llama3.3-70b'] },
  'llama-3.1-8b': { vendor: 'meta', tier: 'small', names: ['meta-llama/Llama-3.1-8B-Instruct', 'llama-3.1-8b-instruct', 'llama3.1-8b'] },
  'llama-3.1-70b': { vendor: 'meta', tier: 'mid', names: ['meta-llama/Llama-3.1-70B-Instruct', 'llama-3.1-70b-instruct'] },
  'llama-4-maverick': { vendor: 'meta', tier: 'mid', names: ['meta-llama/Llama-4-Maverick-17B-128E-Instruct', 'llama-4-maverick-17b-128e-instruct', 'llama-4-maverick'] },
  'llama-4-scout': { vendor: 'meta', tier: 'small', names: ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 'llama-4-scout-17b-16e-instruct', 'llama-4-scout'] },
  'gpt-oss-120b': { vendor: 'openai', tier: 'mid', names: ['openai/gpt-oss-120b'] },
  'gpt-oss-20b': { vendor: 'openai', tier: 'small', names: ['openai/gpt-oss-20b'] },
  'deepseek-v4-pro': { vendor: 'deepseek', tier: 'high', names: ['deepseek-ai/DeepSeek-V4-Pro'] },
  'deepseek-v4-flash': { vendor: 'deepseek', tier: 'mid', names: ['deepseek-ai/DeepSeek-V4-Flash'] },
  'deepseek-v3.2': { vendor: 'deepseek', tier: 'high', names: ['deepseek-ai/DeepSeek-V3.2'] },
  'deepseek-v3': { vendor: 'deepseek', tier: 'high', names: ['deepseek-ai/DeepSeek-V3', 'deepseek-v3'] },
  'deepseek-r1': { vendor: 'deepseek', tier: 'high', names: ['deepseek-ai/DeepSeek-R1', 'deepseek-r1'] },
  'qwen3-32b': { vendor: 'alibaba', tier: 'small', names: ['Qwen/Qwen3-32B'] },
  'qwen3-235b-a22b': { vendor: 'alibaba', tier: 'high', names: ['Qwen/Qwen3-235B-A22B'] },
  'kimi-k2': { vendor: 'moonshotai', tier: 'high', names: ['moonshotai/Kimi-K2-Instruct'] },
  'gemma-3-27b': { vendor: 'google', tier: 'small', names: ['google/gemma-3-27b-it', 'gemma-3-27b-it'] },
  'gemma-4-31b': { vendor: 'google', tier: 'small', names: ['google/gemma-4-31b-it', 'gemma-4-31b-it'] },
  'mistral-large-3': { vendor: 'mistral', tier: 'high', names: ['mistralai/Mistral-Large-3-675B-Instruct'] },
  'ministral-3-14b': { vendor: 'mistral', tier: 'small', names: ['mistralai/Ministral-3-14B-Instruct'] },
  'ministral-3-8b': { vendor: 'mistral', tier: 'small', names: ['mistralai/Ministral-3-8B-Instruct'] },
  'ministral-3-3b': { vendor: 'mistral', tier: 'small', names: ['mistralai/Ministral-3-3B-Instruct'] },
  'devstral-2': { vendor: 'mistral', tier: 'mid', names: ['mistralai/Devstral-2-123B-Instruct'] },
  'magistral-small': { vendor: 'mistral', tier: 'mid', names: ['mistralai/Magistral-Small'] },
};

/**
 * The catalog's models: genai-prices provider → its model ids, with the open_model key for open weights.
 * Deprecated entries and audio/image/realtime models are left out on purpose.
 */
const SELECTION: Record<string, (string | [model: string, openModel: string])[]> = {
  openai: [
    'gpt-6-astra', 'gpt-6-sol', 'gpt-6-luna', 'gpt-5.6-sol', 'gpt-5.6-terra', 'gpt-5.6-luna',
    'gpt-5.5', 'gpt-5.5-pro', 'gpt-5.4', 'gpt-5.4-pro', 'gpt-5.4-mini', 'gpt-5.4-nano', 'gpt-5.2', 'gpt-5.1',
    'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini',
    'o3', 'o4-mini', 'o3-mini', 'o1', 'gpt-4-turbo', 'gpt-4', 'gpt-3.5-turbo',
    'text-embedding-3-large', 'text-embedding-3-small', 'text-embedding-ada-002',
  ],
  anthropic: [
    'claude-opus-5-5', 'claude-opus-5', 'claude-fable-5-1', 'claude-fable-5', 'claude-sonnet-5',
    'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-opus-4-5', 'claude-opus-4-1', 'claude-opus-4-0',
    'claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-sonnet-4-0', 'claude-haiku-4-5',
    'claude-3-7-sonnet-latest', 'claude-3-5-sonnet', 'claude-3-5-haiku-latest', 'claude-3-haiku',
  ],
  google: [
    'gemini-3.8-flash', 'gemini-3.7-flash', 'gemini-3.6-flash', 'gemini-3.5-flash', 'gemini-3.5-flash-lite',
    'gemini-3.1-pro-preview', 'gemini-3.1-flash-lite', 'gemini-3-flash-preview',
    'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-2.0-flash-lite',
  ],
  mistral: [
    ['mistral-large-2512', 'mistral-large-3'], 'mistral-medium-3-5', 'mistral-medium-3-1', 'mistral-small-2603',
    ['ministral-14b-2512', 'ministral-3-14b'], ['ministral-8b-2512', 'ministral-3-8b'], ['ministral-3b-2512', 'ministral-3-3b'],
    ['magistral-small', 'magistral-small'], 'codestral-2508', ['devstral-2512', 'devstral-2'],
    'mistral-embed',
  ],
  deepseek: [
    ['deepseek-v4-pro', 'deepseek-v4-pro'], ['deepseek-v4-flash', 'deepseek-v4-flash'], ['deepseek-v3.2', 'deepseek-v3.2'],
    ['deepseek-chat', 'deepseek-v3'], ['deepseek-reasoner', 'deepseek-r1'],
  ],
  'x-ai': [
    'grok-4.6', 'grok-4.5', 'grok-4.3', 'grok-4.20', 'grok-4-0709', 'grok-4-1-fast-reasoning',
    'grok-4-1-fast-non-reasoning', 'grok-code-fast-1', 'grok-3', 'grok-3-mini',
  ],
  cohere: ['command-a', 'command-r-plus', 'command-r', 'command-r7b', 'embed-v4.0'],
  groq: [
    ['llama-3.3-70b-versatile', 'llama-3.3-70b'], ['llama-3.1-8b-instant', 'llama-3.1-8b'],
    ['meta-llama/llama-4-maverick-17b-128e-instruct', 'llama-4-maverick'], ['meta-llama/llama-4-scout-17b-16e-instruct', 'llama-4-scout'],
    ['openai/gpt-oss-120b', 'gpt-oss-120b'], ['openai/gpt-oss-20b', 'gpt-oss-20b'],
    ['qwen/qwen3-32b', 'qwen3-32b'], ['moonshotai/kimi-k2-instruct', 'kimi-k2'],
  ],
  together: [
    ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'llama-3.3-70b'],
    ['meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8', 'llama-4-maverick'],
    ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 'llama-4-scout'],
    ['meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', 'llama-3.1-8b'],
    ['meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo', 'llama-3.1-70b'],
  ],
  fireworks: [
    ['llama4-maverick-instruct-basic', 'llama-4-maverick'], ['llama-v3p1-8b-instruct', 'llama-3.1-8b'],
    ['gpt-oss-120b', 'gpt-oss-120b'], ['gpt-oss-20b', 'gpt-oss-20b'],
    ['deepseek-v4-pro', 'deepseek-v4-pro'], ['deepseek-v4-flash', 'deepseek-v4-flash'], ['deepseek-v3p2', 'deepseek-v3.2'],
    ['deepseek-r1-0528', 'deepseek-r1'], ['qwen3-235b-a22b', 'qwen3-235b-a22b'], ['gemma-3-27b-it', 'gemma-3-27b'],
  ],
  aws: [
    ['meta.llama3-3-70b-instruct-v1:0', 'llama-3.3-70b'], ['meta.llama3-1-70b-instruct-v1:0', 'llama-3.1-70b'],
    ['meta.llama3-1-8b-instruct-v1:0', 'llama-3.1-8b'], ['meta.llama4-maverick-17b-instruct-v1:0', 'llama-4-maverick'],
    ['meta.llama4-scout-17b-instruct-v1:0', 'llama-4-scout'], ['openai.gpt-oss-120b-1:0', 'gpt-oss-120b'],
    ['openai.gpt-oss-20b-1:0', 'gpt-oss-20b'], ['deepseek.r1-v1:0', 'deepseek-r1'],
    ['mistral.mistral-large-3-675b-instruct', 'mistral-large-3'], ['mistral.ministral-3-14b-instruct', 'ministral-3-14b'],
    ['mistral.ministral-3-8b-instruct', 'ministral-3-8b'], ['mistral.ministral-3-3b-instruct', 'ministral-3-3b'],
    ['mistral.devstral-2-123b', 'devstral-2'], ['mistral.magistral-small-2509', 'magistral-small'],
    ['google.gemma-3-27b-it', 'gemma-3-27b'],
    'amazon.nova-premier-v1:0', 'amazon.nova-pro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0',
    'global.anthropic.claude-opus-5', 'global.anthropic.claude-sonnet-5-v1:0', 'global.anthropic.claude-sonnet-4-6-v1:0',
    'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    'regional.anthropic.claude-opus-5', 'regional.anthropic.claude-sonnet-5-v1:0', 'regional.anthropic.claude-sonnet-4-6-v1:0',
    'regional.anthropic.claude-haiku-4-5-20251001-v1:0', 'regional.anthropic.claude-3-5-sonnet-20241022-v2:0',
  ],
  cerebras: [['gpt-oss-120b', 'gpt-oss-120b'], ['gemma-4-31b', 'gemma-4-31b']],
};

/**
 * "-latest" names the source maps to a retired model (or not at all) while the vendor and litellm point
 * them at the current one.
 */
const EXTRA_ALIASES: Record<string, string[]> = {
  'mistral/mistral-large-2512': ['mistral-large-latest'],
  'mistral/mistral-medium-3-5': ['mistral-medium-latest'],
};

// ---------------------------------------------------------------------------------------------------
// Prices

type PriceValue = number | { base: number; tiers: { start: number; price: number }[] } | undefined;

/** The flat (ranking) rate of a price: a tiered price's base rate, which applies below the first threshold. */
function rate(v: PriceValue): number | null {
  if (v === undefined) return null;
  return typeof v === 'number' ? v : v.base;
}

/** A source price list as plain JSON, every key kept, tiers sorted by start (as the source applies them). */
function priceList(prices: ModelPrice): PriceList {
  const out: PriceList = {};
  for (const key of Object.keys(prices).sort()) {
    const v = prices[key] as PriceValue;
    if (v === undefined) continue;
    const kept: TieredPrice = typeof v === 'number'
      ? round6(v)
      : { base: round6(v.base), tiers: [...v.tiers].sort((a, b) => a.start - b.start).map((t) => ({ start: t.start, price: round6(t.price) })) };
    out[key] = kept;
  }
  return out;
}

/** The source's conditional price lists (dated changes, off-peak windows), in its order; undefined when one list. */
function pricePeriods(info: ModelInfo): PricePeriod[] | undefined {
  if (!Array.isArray(info.prices)) return undefined;
  return info.prices.map((p) => ({ ...(p.constraint && { constraint: { ...p.constraint } }), prices: priceList(p.prices) }));
}

/** "HH:MM" within [start, end), windows across midnight included. */
const inWindow = (t: string, start: string, end: string) => (start <= end ? start <= t && t < end : t >= start || t < end);

/**
 * The price list in force on `asOf`. Entries follow genai-prices semantics (the last matching entry wins);
 * entries gated on a daily time window (DeepSeek peak/off-peak) resolve to the rate in force for most
 * hours of the UTC day, i.e. the rate a typical call pays.
 */
function pricesAsOf(info: ModelInfo, asOf: string): ModelPrice {
  if (!Array.isArray(info.prices)) return info.prices;
  const wins = new Map<ModelPrice, number>();
  for (let minute = 0; minute < 24 * 60; minute += 15) {
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    let chosen: ModelPrice | undefined;
    for (const p of info.prices) {
      const c = p.constraint;
      const applies = !c
        || (c.type === 'start_date' && c.start_date <= asOf)
        || (c.type === 'time_of_date' && inWindow(hhmm, c.start_time.slice(0, 5), c.end_time.slice(0, 5)));
      if (applies) chosen = p.prices;
    }
    if (chosen) wins.set(chosen, (wins.get(chosen) ?? 0) + 1);
  }
  const best = [...wins].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error(`no price in force for ${info.id} on ${asOf}`);
  return best[0];
}

// ---------------------------------------------------------------------------------------------------
// Names

/** Literal model names in the source's match patterns (regexes and AND-combinations are skipped). */
function matchNames(m: MatchLogic): string[] {
  if ('or' in m) return m.or.flatMap(matchNames);
  if ('equals' in m) return [m.equals];
  if ('starts_with' in m) return [m.starts_with];
  if ('contains' in m) return [m.contains];
  if ('ends_with' in m) return [m.ends_with];
  return [];
}

/** The id a provider's API takes: the source's id, or the full path its patterns spell it with (Fireworks). */
function apiId(info: ModelInfo): string {
  const names = matchNames(info.match);
  const full = names.includes(info.id) ? undefined : names.find((n) => n.endsWith(`/${info.id}`));
  return full ?? info.id.replace(/^regional\./, '').replace(/-latest$/, '');
}

// ---------------------------------------------------------------------------------------------------
// Capability tier, modality, caching, batch

const TIERS: CapabilityTier[] = ['frontier', 'high', 'mid', 'small'];
const lower = (t: CapabilityTier, steps: number): CapabilityTier =>
  TIERS[Math.min(TIERS.indexOf(t) + steps, TIERS.length - 1)] ?? 'small';

/**
 * Tier of a family's flagship, matched on the model id. A model is its family's tier lowered one step per
 * size suffix ("-mini" = 1, "-nano" = 2): gpt-5 → frontier, gpt-5-mini → high, gpt-5-nano → mid; so the
 * same-family downgrades of LEVERS L4 (gpt-5.4 → 5.4-mini, sonnet → haiku, 2.5-pro → 2.5-flash) are one
 * tier apart. Families not listed fall back to PRICE_BANDS.
 */
const FAMILY_TIERS: [RegExp, CapabilityTier][] = [
  [/opus|fable/, 'frontier'],
  [/sonnet/, 'high'],
  [/haiku/, 'mid'],
  [/^gpt-5(\.\d+)?(-pro|-mini|-nano)?$/, 'frontier'],
  [/^(gpt-4\.1|gpt-4o|gpt-4-turbo|o1|o3|o4)(-|$)/, 'high'],
  [/^gpt-3\.5/, 'mid'],
  [/gemini-.*-pro/, 'frontier'],
  [/gemini-.*-flash-lite/, 'mid'],
  [/gemini-.*-flash/, 'high'],
  [/^grok-code/, 'mid'],
  [/^grok-.*fast/, 'high'],
  [/^grok-4/, 'frontier'],
  [/^grok-3/, 'high'],
  [/mistral-large|mistral-medium|magistral-medium|pixtral-large/, 'high'],
  [/mistral-small|magistral-small|codestral|devstral/, 'mid'],
  [/ministral/, 'small'],
  [/command-a|command-r-plus/, 'high'],
  [/command-r7b/, 'small'],
  [/command-r/, 'mid'],
  [/nova-premier/, 'high'],
  [/nova-pro/, 'mid'],
  [/nova-(lite|micro)/, 'small'],
];

/** Fallback: blended price (3 input : 1 output, $/1M) → tier. */
const PRICE_BANDS: [number, CapabilityTier][] = [[8, 'frontier'], [2, 'high'], [0.4, 'mid'], [0, 'small']];

function tierOf(id: string, open: OpenModel | undefined, inputPerM: number, outputPerM: number): CapabilityTier {
  const name = id.toLowerCase();
  if (/embed/.test(name)) return 'embedding';
  if (open) return open.tier;
  const family = FAMILY_TIERS.find(([re]) => re.test(name));
  if (family) return lower(family[1], /-nano\b/.test(name) ? 2 : /-mini\b/.test(name) ? 1 : 0);
  const blended = (3 * inputPerM + outputPerM) / 4;
  return PRICE_BANDS.find(([min]) => blended >= min)?.[1] ?? 'small';
}

/**
 * Modality from vendor model cards by family (the source has no modality field): Gemini takes audio and
 * images; these families take images; everything else is text.
 */
const VISION = /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|gpt-6|^o1$|^o3$|o4-mini|claude|grok-4|llama-?4|maverick|scout|pixtral|mistral-medium|mistral-small|mistral-large|gemma-3|gemma-4|nova-(lite|pro|premier)|command-a/;

function modalityOf(id: string): Modality {
  const name = id.toLowerCase();
  if (/embed/.test(name)) return 'embedding';
  if (/gemini/.test(name)) return 'text+image+audio';
  return VISION.test(name) ? 'text+image' : 'text';
}

/** Providers whose Batch API gives 50% off every part of a call (LEVERS L1); the source does not encode it. */
const BATCH_RULE = new Set(['openai', 'anthropic', 'google']);

/** OpenAI Flex processing: half price on these models (openai.com/api/pricing, "Flex"); not in the source. */
const OPENAI_FLEX = /^(o3|o4-mini|gpt-5(\.\d+)?(-mini|-nano)?)$/;

/** OpenAI Priority processing: published priority rates as a multiple of standard (every part); not in the source. */
const OPENAI_PRIORITY: Record<string, number> = {
  'gpt-5': 2, 'gpt-5.1': 2, 'gpt-5.2': 2, 'gpt-5-mini': 1.8, 'gpt-4.1': 1.75, o3: 1.75, 'gpt-4o': 1.7,
};

/**
 * Service-tier multipliers: batch from BATCH_RULE; flex/priority from the source's price comments (Gemini:
 * "Batch and Flex tiers offer 50% discount, Priority tier is 1.8x") or the OpenAI rules above.
 */
function serviceTiers(provider: string, id: string, comments: string, notes: string[]): ServiceTiers {
  const tiers: ServiceTiers = {};
  if (BATCH_RULE.has(provider)) tiers.batch = 0.5;
  if (/flex tiers? offers? 50%/i.test(comments)) tiers.flex = 0.5;
  const priority = /priority tier is (\d+(?:\.\d+)?)x/i.exec(comments);
  if (priority) tiers.priority = Number(priority[1]);
  if (provider === 'openai') {
    if (OPENAI_FLEX.test(id)) tiers.flex = 0.5;
    const p = OPENAI_PRIORITY[id];
    if (p) tiers.priority = p;
    if (tiers.flex || tiers.priority) notes.push('flex/priority: OpenAI published rates, not in source');
  } else if (tiers.flex || tiers.priority) {
    notes.push('flex/priority: from the source\'s price comments');
  }
  return tiers;
}

interface CacheRule { min: number; ttl: number; note: string }

/** Prompt-cache minimum prefix and TTL per LEVERS L2 (applies only where the source has a cache rate). */
function cacheRule(provider: string, vendor: string, id: string): CacheRule {
  const name = id.toLowerCase();
  if (vendor === 'anthropic') {
    // Minimum cacheable prefix by model (Anthropic docs via litellm); Opus 4.7/4.8 assumed as Opus 4.5/4.6.
    const min = /opus-5|fable/.test(name) ? 512
      : /haiku-4|opus-4-[5-9]/.test(name) ? 4096
      : /claude-3(-5)?-haiku/.test(name) ? 2048
      : 1024;
    return { min, ttl: 300, note: 'cache: Anthropic explicit, 5-min TTL' };
  }
  if (provider === 'openai') return { min: 1024, ttl: 300, note: 'cache: OpenAI automatic, ≥1,024 tokens, 5-min TTL (lower bound)' };
  if (provider === 'google') return { min: /pro/.test(name) ? 4096 : 1024, ttl: 3600, note: 'cache: Gemini implicit, 1-h TTL' };
  if (provider === 'deepseek') return { min: 64, ttl: 3600, note: 'cache: DeepSeek disk cache, 64-token units, TTL ≥1 h assumed' };
  return { min: 1024, ttl: 300, note: 'cache: automatic prefix caching assumed OpenAI-like (≥1,024 tokens, 5 min)' };
}

// ---------------------------------------------------------------------------------------------------
// Build

function vendorOf(provider: string, id: string, open: OpenModel | undefined): string {
  if (open) return open.vendor;
  const own = FIRST_PARTY[provider];
  if (own) return own;
  const prefix = id.replace(/^(global|regional|us|eu|apac)\./, '').split('.')[0] ?? '';
  const v = provider === 'bedrock' ? BEDROCK_VENDORS[prefix] : undefined;
  if (!v) throw new Error(`no vendor for ${provider}/${id}: add it to OPEN_MODELS or BEDROCK_VENDORS`);
  return v;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function buildModel(gpProvider: string, pick: string | [string, string], source: PriceSource): CatalogModel {
  const [gpModel, openKey] = typeof pick === 'string' ? [pick, undefined] : pick;
  const gp = findProvider({ providerId: gpProvider });
  const info = gp?.models.find((m) => m.id === gpModel);
  if (!gp || !info) throw new Error(`${gpProvider}/${gpModel} is not in ${source.name}`);
  if (info.deprecated) throw new Error(`${gpProvider}/${gpModel} is deprecated in ${source.name}: drop it from SELECTION`);
  const open = openKey ? OPEN_MODELS[openKey] : undefined;
  if (openKey && !open) throw new Error(`unknown open model ${openKey}`);

  const provider = PROVIDERS[gpProvider] ?? gpProvider;
  const id = apiId(info);
  const vendor = vendorOf(provider, id, open);
  const prices = pricesAsOf(info, source.date);
  const input = rate(prices.input_mtok as PriceValue);
  if (input === null) throw new Error(`${gpProvider}/${gpModel} has no input price`);
  const output = rate(prices.output_mtok as PriceValue) ?? 0;
  const cachedInput = rate(prices.cache_read_mtok as PriceValue);
  const cacheWrite = rate(prices.cache_write_mtok as PriceValue);
  const notes = [`${gpProvider}/${info.id}`];
  if (Array.isArray(info.prices)) notes.push(`price in force on ${source.date} (most hours of the day)`);
  if (Object.values(prices).some((v) => typeof v === 'object')) notes.push('long-context tiers in prices (flat fields: base rate)');

  const batch = BATCH_RULE.has(provider) ? 0.5 : 0;
  if (batch) notes.push('batch 0.5: provider Batch API rule (LEVERS L1), not in source');
  const tiers = serviceTiers(provider, id, `${info.price_comments ?? ''} ${gp.price_comments ?? ''}`, notes);
  const periods = pricePeriods(info);
  const caches = cachedInput !== null || cacheWrite !== null;
  const cache = caches ? cacheRule(provider, vendor, id) : null;
  if (cache) notes.push(cache.note);

  const aliases = new Set<string>();
  for (const n of [...matchNames(info.match), info.id, ...(open?.names ?? []), ...(EXTRA_ALIASES[`${provider}/${id}`] ?? [])]) {
    aliases.add(n);
  }
  aliases.add(`${provider}/${id}`);
  aliases.delete(id);

  return {
    id,
    provider,
    vendor,
    open_model: openKey ?? null,
    aliases: [...aliases].sort(),
    input_per_m: round6(input),
    output_per_m: round6(output),
    cached_input_per_m: cachedInput === null ? null : round6(cachedInput),
    cache_write_per_m: cacheWrite === null ? null : round6(cacheWrite),
    batch_discount: batch,
    prices: priceList(prices),
    ...(periods && { price_periods: periods }),
    service_tiers: tiers,
    cache_min_tokens: cache?.min ?? null,
    cache_ttl_s: cache?.ttl ?? null,
    context_window: info.context_window ?? 0,
    max_output_tokens: null,
    modality: modalityOf(id),
    tier: tierOf(id, open, input, output),
    source: { ...source, url: gp.pricing_urls?.[0], note: notes.join('; ') },
  };
}

/** Where to look for a context window a provider's own entry lacks (OpenRouter lists most models). */
const CONTEXT_FALLBACK_PROVIDERS = [...Object.keys(PROVIDERS), 'openrouter'];

/** Compares names across providers: no vendor path, dots as dashes, no "-MM-YYYY" snapshot suffix. */
const sameName = (s: string) => s.toLowerCase().replace(/^[a-z0-9-]+\//, '').replace(/\./g, '-').replace(/-\d{2}-\d{4}$/, '');

/**
 * Context windows the source lacks: the smallest window of the same open weights at other providers,
 * else of the same model name at any provider of the source. A model with none is an error: drop it.
 */
function fillContextWindows(models: CatalogModel[]): void {
  const elsewhere = CONTEXT_FALLBACK_PROVIDERS.flatMap((p) => findProvider({ providerId: p })?.models ?? [])
    .filter((info) => info.context_window)
    .flatMap((info) => [info.id, ...matchNames(info.match)].map((n) => [sameName(n), info.context_window ?? 0] as const));
  for (const m of models) {
    if (m.context_window > 0) continue;
    const names = new Set([m.id, ...m.aliases].map(sameName));
    const peers = m.open_model
      ? models.filter((o) => o.open_model === m.open_model && o.context_window > 0).map((o) => o.context_window)
      : elsewhere.filter(([n]) => names.has(n)).map(([, ctx]) => ctx);
    if (peers.length === 0) throw new Error(`no context window for ${m.provider}/${m.id} in the source: drop it from SELECTION`);
    m.context_window = Math.min(...peers);
    m.source.note = `${m.source.note}; context window from ${m.open_model ? 'other providers of the same weights' : 'the same model at another provider'}`;
  }
}

/** An alias naming two models of one provider is ambiguous: keep it on neither. */
function dropAmbiguousAliases(models: CatalogModel[]): void {
  const owners = new Map<string, Set<CatalogModel>>();
  for (const m of models) {
    for (const key of [m.id, ...m.aliases]) {
      const k = `${m.provider}\n${key.toLowerCase()}`;
      owners.set(k, (owners.get(k) ?? new Set()).add(m));
    }
  }
  for (const m of models) {
    m.aliases = m.aliases.filter((a) => (owners.get(`${m.provider}\n${a.toLowerCase()}`)?.size ?? 0) === 1);
  }
}

/** Date of the source: kept from the previous output while the package version is unchanged (determinism). */
function sourceDate(name: string): string {
  if (existsSync(OUT)) {
    const prev = JSON.parse(readFileSync(OUT, 'utf8')) as CatalogModel[];
    if (prev[0]?.source.name === name) return prev[0].source.date;
  }
  return new Date().toISOString().slice(0, 10);
}

function main(): void {
  const version = (JSON.parse(readFileSync(PKG_JSON, 'utf8')) as { version: string }).version;
  const name = `${SOURCE_PKG}@${version}`;
  const source: PriceSource = { name, date: sourceDate(name) };

  const models = Object.entries(SELECTION).flatMap(([gpProvider, picks]) => picks.map((p) => buildModel(gpProvider, p, source)));
  fillContextWindows(models);
  dropAmbiguousAliases(models);
  models.sort((a, b) => (a.provider === b.provider ? (a.id < b.id ? -1 : 1) : a.provider < b.provider ? -1 : 1));

  const ids = new Set(models.map((m) => `${m.provider}/${m.id}`));
  if (ids.size !== models.length) throw new Error('duplicate provider/id in the catalog');

  // One model per line: compact, and a refresh diffs model by model.
  writeFileSync(OUT, `[\n${models.map((m) => JSON.stringify(m)).join(',\n')}\n]\n`);
  const byVendor = new Map<string, number>();
  for (const m of models) byVendor.set(m.vendor, (byVendor.get(m.vendor) ?? 0) + 1);
  console.log(`${models.length} models from ${name} (${source.date}) → ${OUT.pathname}`);
  console.log([...byVendor].sort().map(([v, n]) => `${v} ${n}`).join(', '));
}

main();
