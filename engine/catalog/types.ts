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
  context_window: number;
  max_output_tokens: number | null;
  modality: Modality;
  tier: CapabilityTier;
  /** Where each price came from. */
  source: PriceSource;
}

export interface CallUsage {
  /** All prompt tokens of the call, cached reads and cache writes included (OpenAI's convention). */
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  /** Reasoning tokens are billed as output; pass them only when the source counted them apart from output_tokens. */
  reasoning_tokens?: number;
  batch?: boolean;
}
