// Provider usage objects → the record's token fields, without loss, in one place (parsers and the gateway
// use it), and a record's tokens → the catalog's CallUsage for pricing.
//
//   OpenAI Chat Completions  prompt_tokens (cache reads included), prompt_tokens_details.{cached_tokens,
//                            audio_tokens, image_tokens}, completion_tokens (reasoning included),
//                            completion_tokens_details.{reasoning_tokens, audio_tokens, image_tokens}
//   OpenAI Responses         input_tokens, input_tokens_details.{cached_tokens, audio_tokens, image_tokens},
//                            output_tokens, output_tokens_details.{reasoning_tokens, …}
//   Anthropic Messages       input_tokens (fresh only), cache_read_input_tokens, cache_creation_input_tokens,
//                            cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens},
//                            output_tokens (thinking included), server_tool_use.web_search_requests, service_tier
//   Gemini                   promptTokenCount (cachedContentTokenCount included), toolUsePromptTokenCount,
//                            candidatesTokenCount + thoughtsTokenCount (billed as output),
//                            promptTokensDetails / cacheTokensDetails / candidatesTokensDetails by modality
import type { CallUsage } from '../catalog/types';
import { isRec, recOrEmpty, type Rec } from './fields';
import { USAGE_DETAIL_FIELDS, type UsageDetails } from './record';

/** The record's token fields of one call (input/output totals include every part, as the record defines). */
export interface TokenFields extends UsageDetails {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const has = (r: Rec, k: string): boolean => typeof r[k] === 'number';

/** Gemini's per-modality counts ([{modality: "AUDIO", tokenCount: 12}]) → tokens of one modality. */
function modality(list: unknown, which: string): number {
  if (!Array.isArray(list)) return 0;
  return list.reduce<number>((sum, d) => (isRec(d) && String(d.modality).toUpperCase() === which ? sum + n(d.tokenCount ?? d.token_count) : sum), 0);
}

/** Only the breakdowns a source reported (a zero stays out, so records stay small). */
function details(d: UsageDetails): UsageDetails {
  const out: UsageDetails = {};
  for (const [k, v] of Object.entries(d) as [keyof UsageDetails, number | undefined][]) if (v) out[k] = v;
  return out;
}

function gemini(u: Rec): TokenFields {
  const get = (camel: string, snake: string) => n(u[camel] ?? u[snake]);
  const prompt = get('promptTokenCount', 'prompt_token_count') + get('toolUsePromptTokenCount', 'tool_use_prompt_token_count');
  const thoughts = get('thoughtsTokenCount', 'thoughts_token_count');
  const promptDetails = u.promptTokensDetails ?? u.prompt_tokens_details;
  const cacheDetails = u.cacheTokensDetails ?? u.cache_tokens_details;
  const outDetails = u.candidatesTokensDetails ?? u.candidates_tokens_details;
  return {
    input_tokens: prompt,
    output_tokens: get('candidatesTokenCount', 'candidates_token_count') + thoughts,
    cached_input_tokens: get('cachedContentTokenCount', 'cached_content_token_count'),
    cache_write_tokens: 0,
    reasoning_tokens: thoughts,
    ...details({
      input_audio_tokens: modality(promptDetails, 'AUDIO'),
      cached_audio_tokens: modality(cacheDetails, 'AUDIO'),
      input_image_tokens: modality(promptDetails, 'IMAGE'),
      cached_image_tokens: modality(cacheDetails, 'IMAGE'),
      output_audio_tokens: modality(outDetails, 'AUDIO'),
      output_image_tokens: modality(outDetails, 'IMAGE'),
    }),
  };
}

/** Anthropic's cache fields (also passed through by LiteLLM and Helicone next to OpenAI-style counts). */
function anthropicCache(u: Rec): { read: number; write: number; write1h: number } {
  const split = recOrEmpty(u.cache_creation);
  const write1h = n(split.ephemeral_1h_input_tokens);
  const total = has(u, 'cache_creation_input_tokens') ? n(u.cache_creation_input_tokens) : n(split.ephemeral_5m_input_tokens) + write1h;
  return { read: n(u.cache_read_input_tokens), write: total, write1h };
}

function anthropic(u: Rec): TokenFields {
  const cache = anthropicCache(u);
  return {
    // Anthropic counts cache reads and writes apart from input_tokens; the record's input includes them
    input_tokens: n(u.input_tokens) + cache.read + cache.write,
    output_tokens: n(u.output_tokens),
    cached_input_tokens: cache.read,
    cache_write_tokens: cache.write,
    reasoning_tokens: 0,
    ...details({ cache_write_1h_tokens: cache.write1h, web_searches: n(recOrEmpty(u.server_tool_use).web_search_requests) }),
  };
}

/** OpenAI Chat Completions (prompt_/completion_) and Responses (input_/output_ with *_details) usage. */
function openai(u: Rec, chat: boolean): TokenFields {
  const inDetails = recOrEmpty(chat ? u.prompt_tokens_details : u.input_tokens_details);
  const outDetails = recOrEmpty(chat ? u.completion_tokens_details : u.output_tokens_details);
  // LiteLLM's OpenAI-shaped usage of Anthropic calls carries Anthropic's cache fields too (prompt_tokens include them)
  const cache = anthropicCache(u);
  const cached = n(inDetails.cached_tokens) || cache.read;
  return {
    input_tokens: n(chat ? u.prompt_tokens : u.input_tokens),
    output_tokens: n(chat ? u.completion_tokens : u.output_tokens),
    cached_input_tokens: cached,
    cache_write_tokens: cache.write,
    reasoning_tokens: n(outDetails.reasoning_tokens),
    ...details({
      cache_write_1h_tokens: cache.write1h,
      input_audio_tokens: n(inDetails.audio_tokens),
      input_image_tokens: n(inDetails.image_tokens),
      output_audio_tokens: n(outDetails.audio_tokens),
      output_image_tokens: n(outDetails.image_tokens),
    }),
  };
}

/**
 * A provider's usage object → the record's token fields; null when it is none of the known shapes.
 * `provider` settles the one ambiguity: input_tokens/output_tokens without details is Anthropic's shape
 * (cache counted apart) for "anthropic", else OpenAI Responses' (cache included).
 */
export function providerUsage(usage: unknown, provider?: string): TokenFields | null {
  if (!isRec(usage)) return null;
  if (has(usage, 'promptTokenCount') || has(usage, 'prompt_token_count') || has(usage, 'candidatesTokenCount')) return gemini(usage);
  if (has(usage, 'prompt_tokens') || has(usage, 'completion_tokens')) return openai(usage, true);
  if (!has(usage, 'input_tokens') && !has(usage, 'output_tokens')) return null;
  const anthropicShape = has(usage, 'cache_creation_input_tokens') || has(usage, 'cache_read_input_tokens') || isRec(usage.cache_creation);
  if (anthropicShape || (provider?.toLowerCase() === 'anthropic' && !isRec(usage.input_tokens_details))) return anthropic(usage);
  return openai(usage, false);
}

/** The breakdowns (1-hour writes, audio, image, web searches) of mapped usage, for a record. */
export function usageDetails(t: TokenFields | null): UsageDetails {
  const out: UsageDetails = {};
  if (t) for (const f of USAGE_DETAIL_FIELDS) if (t[f]) out[f] = t[f];
  return out;
}

/** The record fields a cost depends on (LlmCall, or an llm_calls row read back). */
export type PricedFields = TokenFields & { timestamp: number; service_tier?: string | null; metadata?: Record<string, unknown> };

/** A call's tokens as the catalog prices them: every breakdown, its time (dated prices) and service tier. */
export function callUsage(c: PricedFields): CallUsage & { timestamp: number } {
  const calls = c.metadata?.aggregated === true && typeof c.metadata.num_requests === 'number' ? c.metadata.num_requests : undefined;
  return {
    input_tokens: c.input_tokens,
    output_tokens: c.output_tokens,
    cached_input_tokens: c.cached_input_tokens,
    cache_write_tokens: c.cache_write_tokens,
    reasoning_tokens: c.reasoning_tokens,
    cache_write_1h_tokens: c.cache_write_1h_tokens,
    input_audio_tokens: c.input_audio_tokens,
    cached_audio_tokens: c.cached_audio_tokens,
    input_image_tokens: c.input_image_tokens,
    cached_image_tokens: c.cached_image_tokens,
    output_audio_tokens: c.output_audio_tokens,
    output_image_tokens: c.output_image_tokens,
    web_searches: c.web_searches,
    timestamp: c.timestamp,
    ...(c.service_tier && { service_tier: c.service_tier }),
    batch: c.metadata?.batch === true,
    // a usage-export bucket sums many requests: long-context tiers are decided on the mean prompt
    ...(calls && calls > 1 && { calls }),
  };
}
