// Types of the model/price catalog. The data itself is generated (engine/catalog/models.generated.json)
// by scripts/build-catalog.ts from a maintained price source; never typed by hand.

/** Capability tier: a model may stand in for any model of the same family of use at the same or lower tier. */
export type CapabilityTier = 'frontier' | 'high' | 'mid' | 'small' | 'embedding';

export type Modality = 'text' | 'text+image' | 'text+image+audio' | 'embedding';

export interface PriceSource {
  /** e.g. "@pydantic/genai-prices@0.1.8" or "litellm model_prices_and_context_window.json" */
  name: string;
  /** ISO date the price was read from the source. */
  date: string;
  url?: string;
  /** The source's own key for the model, and the rules applied where the source is silent (batch, cache, tiers). */
  note?: string;
}

/** A price in $/1M tokens: flat, or long-context tiers (the rate of the highest tier whose start the prompt exceeds). */
export type TieredPrice = number | { base: number; tiers: { start: number; price: number }[] };

/**
 * One price list, keyed as the source keys it (@pydantic/genai-prices units): input_mtok, output_mtok,
 * cache_read_mtok, cache_write_mtok (5-min write), cache_write_1h_mtok, input_audio_mtok,
 * cache_audio_read_mtok, output_audio_mtok, input_image_mtok, cache_image_read_mtok, output_image_mtok,
 * output_reasoning_mtok, and per-1,000 counts (web_searches_kcount, …). A more specific key prices its
 * tokens apart from its parent (cache_write_1h_mtok out of cache_write_mtok, out of input_mtok).
 */
export type PriceList = Record<string, TieredPrice>;

/** A price list gated by a date (in force from start_date on) or a daily UTC window ("HH:MM:SSZ"). */
export interface PricePeriod {
  constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string };
  prices: PriceList;
}

/** Price multipliers of a provider's service tiers (1 = standard); a tier not listed is not offered/priced. */
export interface ServiceTiers {
  batch?: number;
  flex?: number;
  priority?: number;
}

export type ServiceTier = 'standard' | keyof ServiceTiers;

export interface CatalogModel {
  /** Canonical id, e.g. "gpt-4o-mini", "claude-haiku-4-5", "llama-3.3-70b-instruct". */
  id: string;
  /** Provider serving it: "openai", "anthropic", "google", "mistral", "deepseek", "xai", "cohere", "groq", "together", "fireworks", "bedrock", "deepinfra", "cerebras", ... */
  provider: string;
  /** Model creator (differs from provider for open-weights models served by several providers). */
  vendor: string;
  /** Open-weights model identity shared across providers (e.g. "llama-3.3-70b"), null for closed models. */
  open_model: string | null;
  /** Other strings that name this model in telemetry ("gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"). */
  aliases: string[];
  /** USD per 1M tokens. */
  input_per_m: number;
  output_per_m: number;
  /** null when the provider offers no discounted cached-input rate. */
  cached_input_per_m: number | null;
  /** Price of writing the prompt cache (Anthropic 5-min write = 1.25x input); null when writes are free/implicit. */
  cache_write_per_m: number | null;
  /** Fraction off with the provider's batch API (0.5 = half price); 0 when none. */
  batch_discount: number;
  /** Minimum prompt tokens for provider prompt caching to apply; null when no caching. */
  cache_min_tokens: number | null;
  /** Cache TTL in seconds under default rules (OpenAI ~300-3600, Anthropic 300, Gemini implicit 3600). */
  cache_ttl_s: number | null;
  /** Every price rule of the source for the list in force on the catalog date (a typical hour). */
  prices: PriceList;
  /** The source's dated / time-of-day price lists, in its order (the last one that applies wins); absent when one list. */
  price_periods?: PricePeriod[];
  /** Multipliers for batch / flex / priority processing (batch = 1 − batch_discount). */
  service_tiers: ServiceTiers;
  context_window: number;
  max_output_tokens: number | null;
  modality: Modality;
  tier: CapabilityTier;
  /** Where each price came from. */
  source: PriceSource;
}

export interface CallUsage {
  /** All prompt tokens of the call, cached reads, cache writes, audio and image included (OpenAI's convention). */
  input_tokens: number;
  /** All completion tokens, reasoning, audio and image included. */
  output_tokens: number;
  /** Prompt tokens read from the cache (all modalities). */
  cached_input_tokens?: number;
  /** Prompt tokens written to the cache, 5-minute and 1-hour writes together. */
  cache_write_tokens?: number;
  /** The part of cache_write_tokens written with a 1-hour TTL (Anthropic). */
  cache_write_1h_tokens?: number;
  /** Parts of input_tokens by modality; cached_* the part of them read from the cache. */
  input_audio_tokens?: number;
  cached_audio_tokens?: number;
  input_image_tokens?: number;
  cached_image_tokens?: number;
  /** Parts of output_tokens: reasoning (thinking), audio and image tokens. */
  reasoning_tokens?: number;
  output_audio_tokens?: number;
  output_image_tokens?: number;
  /** Web searches the call ran (priced per 1,000 where the model has a price). */
  web_searches?: number;
  /** When the call was made (epoch ms): picks the dated or time-of-day price list; absent = the catalog's list. */
  timestamp?: number;
  /**
   * The processing tier billed: a ServiceTier, or a provider's word for one ("default"/"auto" = standard).
   * A tier the model has no price for is priced standard and flagged.
   */
  service_tier?: ServiceTier | (string & {});
  /** Same as service_tier "batch" (kept for callers that only know batch or not). */
  batch?: boolean;
  /** Usage summed over this many calls: long-context tiers are then decided on the mean prompt. */
  calls?: number;
}
