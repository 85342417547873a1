// The LLM call record: the unit of telemetry (DESIGN.md "The data").
// One schema for every ingest path; parsers of foreign formats map into it.
import * as z from 'zod';
import { isIsoLike, parseUtc, timestampProblem } from './time';

/** Largest token count we accept for one call (10M): beyond that a record is garbage, not a call. */
export const MAX_TOKENS_PER_FIELD = 10_000_000;

const tokenCount = z.number().int().min(0).max(MAX_TOKENS_PER_FIELD);
const optionalTokens = tokenCount.default(0);
const shortText = (max: number) => z.string().min(1).max(max);

/** ISO 8601 string or epoch milliseconds → epoch milliseconds; impossible days and out-of-range instants are refused. */
export const timestampInput = z.union([z.number(), z.string().min(1).max(40)]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : isIsoLike(v) ? (parseUtc(v) ?? Number.NaN) : Date.parse(v);
  const problem = Number.isInteger(ms) || Number.isNaN(ms) ? timestampProblem(ms) : 'timestamp must be whole epoch milliseconds';
  if (problem) {
    ctx.addIssue({ code: 'custom', message: typeof v === 'string' && Number.isNaN(ms) ? 'timestamp is not ISO 8601 (or names a day that does not exist)' : problem });
    return z.NEVER;
  }
  return ms;
});

/**
 * Status of a call: "ok", an HTTP status code as text ("429", "500"), or an error class
 * ("timeout", "client_cancel", "error"). Numbers are accepted and normalised to text.
 */
export const callStatus = z
  .union([z.string().min(1).max(40), z.number().int().min(100).max(599)])
  .transform((s) => {
    const t = String(s).toLowerCase();
    return t === '200' || t === 'success' || t === 'succeeded' ? 'ok' : t;
  });

/** What a client sends for one call (snake_case, as the API conventions say). */
export const llmCallInput = z
  .object({
    request_id: shortText(200).optional(),
    timestamp: timestampInput,
    project: shortText(200).optional(),
    user: shortText(200).optional(),
    /** The source's own API key id or key hash (never a secret): the "key" of breakdowns. */
    api_key: shortText(200).optional(),
    feature: shortText(200).optional(),
    provider: shortText(100).optional(),
    model: shortText(200),
    input_tokens: tokenCount,
    output_tokens: optionalTokens,
    cached_input_tokens: optionalTokens,
    cache_write_tokens: optionalTokens,
    reasoning_tokens: optionalTokens,
    // Breakdowns the providers bill apart (each a part of the total above it; absent = 0):
    /** Part of cache_write_tokens written with a 1-hour TTL (Anthropic cache_creation.ephemeral_1h_input_tokens). */
    cache_write_1h_tokens: tokenCount.optional(),
    /** Parts of input_tokens by modality, and of those the part read from the cache. */
    input_audio_tokens: tokenCount.optional(),
    cached_audio_tokens: tokenCount.optional(),
    input_image_tokens: tokenCount.optional(),
    cached_image_tokens: tokenCount.optional(),
    /** Parts of output_tokens by modality. */
    output_audio_tokens: tokenCount.optional(),
    output_image_tokens: tokenCount.optional(),
    /** Server-side web searches the call ran (billed per 1,000 by some providers). */
    web_searches: z.number().int().min(0).max(100_000).optional(),
    /** Processing tier the provider billed: standard (default/auto), batch, flex, priority, or its own word. */
    service_tier: z.string().min(1).max(40).transform((t) => t.trim().toLowerCase()).nullable().optional(),
    latency_ms: z.number().finite().min(0).max(86_400_000).nullable().optional(),
    ttft_ms: z.number().finite().min(0).max(86_400_000).nullable().optional(),
    status: callStatus.default('ok'),
    cost_usd: z.number().finite().min(0).max(1_000_000).nullable().optional(),
    prompt_hash: shortText(200).nullable().optional(),
    prefix_hashes: z.array(z.union([z.string().max(200), z.number().int()]).transform(String)).max(10_000).optional(),
    max_tokens: z.number().int().min(0).max(MAX_TOKENS_PER_FIELD).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    region: shortText(100).nullable().optional(),
    attempt: z.number().int().min(1).max(1000).optional(),
    trace_id: shortText(200).nullable().optional(),
    span_id: shortText(200).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((c) => c.cached_input_tokens <= c.input_tokens, {
    message: 'cached_input_tokens cannot exceed input_tokens',
    path: ['cached_input_tokens'],
  })
  .refine((c) => (c.cache_write_1h_tokens ?? 0) <= c.cache_write_tokens, {
    message: 'cache_write_1h_tokens are part of cache_write_tokens and cannot exceed them',
    path: ['cache_write_1h_tokens'],
  });

/** The token breakdowns of a call (optional on LlmCall: absent = 0, so older producers need not set them). */
export const USAGE_DETAIL_FIELDS = [
  'cache_write_1h_tokens', 'input_audio_tokens', 'cached_audio_tokens', 'input_image_tokens', 'cached_image_tokens',
  'output_audio_tokens', 'output_image_tokens', 'web_searches',
] as const;

export type UsageDetails = Partial<Record<(typeof USAGE_DETAIL_FIELDS)[number], number>>;

export type LlmCallInput = z.input<typeof llmCallInput>;

/**
 * A validated call as the engine sees it. `timestamp` is epoch ms; `cost_nanousd` is the
 * call's cost in integer nano-dollars (1e-9 USD): the source's own cost when it gave one,
 * otherwise computed from the catalog (or null when the model is unknown).
 */
export interface LlmCall {
  request_id: string;
  timestamp: number;
  project?: string;
  user?: string;
  /** The source's API key id or hash, when it named one (else the breakdown key is the platform key that sent it). */
  api_key?: string;
  feature?: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Breakdowns billed apart (see llmCallInput); absent = 0. */
  cache_write_1h_tokens?: number;
  input_audio_tokens?: number;
  cached_audio_tokens?: number;
  input_image_tokens?: number;
  cached_image_tokens?: number;
  output_audio_tokens?: number;
  output_image_tokens?: number;
  web_searches?: number;
  /** The provider's processing tier as reported (lowercase), absent when it named none. */
  service_tier?: string;
  latency_ms: number | null;
  ttft_ms: number | null;
  status: string;
  cost_nanousd: number | null;
  /** true when cost_nanousd came from the source, false when computed from the catalog. */
  cost_from_source: boolean;
  prompt_hash: string | null;
  prefix_hashes: string[];
  max_tokens: number | null;
  stream: boolean | null;
  region: string | null;
  attempt: number;
  trace_id: string | null;
  span_id: string | null;
  metadata: Record<string, unknown>;
  /** Where the record came from: "api", "import:<imp_id>", "otlp", "gateway", "synthetic:<job>". */
  source: string;
}

export const NANO_PER_USD = 1_000_000_000;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

/**
 * Tokens covered by one entry of `prefix_hashes`: entry i hashes the prompt's first (i+1)·512 tokens,
 * as in the Mooncake traces. Equal leading entries = a prefix a prompt cache could serve.
 */
export const PREFIX_BLOCK_TOKENS = 512;
