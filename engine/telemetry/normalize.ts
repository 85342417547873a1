// One record in any llmCallInput shape → the canonical LlmCall: validated, dated, priced and given a stable id.
import { findModel, normalizeProvider, PriceBook } from '../catalog/index';
import { canonicalJson, fnv1a64 } from './hash';
import { isRec } from './fields';
import { llmCallInput, USAGE_DETAIL_FIELDS, usdToNano, type LlmCall, type UsageDetails } from './record';
import { callUsage } from './usage';

export interface NormalizeContext {
  /** Where the record came from: "api", "import:<imp_id>", "otlp", … */
  source: string;
  /** Filled in when the record has none (traces that name no model). */
  defaults?: { model?: string; provider?: string };
  now_ms: number;
  /** How far past now_ms a timestamp may be (clock skew) before the record is rejected. */
  future_tolerance_ms: number;
  /** Mixed into a generated request_id, for rows with no identity of their own (a trace row's line number). */
  identity?: string;
  /** The org's own prices (discounts, custom models) over the catalog; absent = catalog prices. */
  prices?: PriceBook;
}

export type NormalizeResult = { ok: true; call: LlmCall } | { ok: false; reason: string };

/** The request id for a content key (canonical record text, plus any identity); prefixed, never taken for a provider's. */
export function generatedRequestId(key: string): string {
  return `auto_${fnv1a64(key)}`;
}

export function normalizeCall(input: unknown, ctx: NormalizeContext): NormalizeResult {
  if (!isRec(input)) return { ok: false, reason: 'record is not a JSON object' };
  const withDefaults = {
    ...input,
    model: input.model ?? ctx.defaults?.model,
    provider: input.provider ?? ctx.defaults?.provider,
  };
  const parsed = llmCallInput.safeParse(withDefaults);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error.issues) };
  const r = parsed.data;
  if (r.timestamp > ctx.now_ms + ctx.future_tolerance_ms) {
    return {
      ok: false,
      reason: `timestamp ${new Date(r.timestamp).toISOString()} is more than ${Math.round(ctx.future_tolerance_ms / 1000)}s in the future`,
    };
  }

  // The id hashes what the source said (not the catalog's inferences, which change with prices), without the
  // source tag: a retried batch, or the same file imported twice, yields the same ids and dedupes.
  const { request_id, ...content } = r;
  const id = request_id ?? generatedRequestId(canonicalJson(content) + (ctx.identity ?? ''));

  const model = findModel(r.model, r.provider);
  const provider = r.provider ? normalizeProvider(r.provider) : (model?.provider ?? 'unknown');
  const metadata = { ...r.metadata };
  // keep the source's own spelling when the catalog folds it ("azure" → "openai")
  if (r.provider && provider !== r.provider.trim().toLowerCase()) metadata.source_provider = r.provider;

  const usageDetails: UsageDetails = {};
  for (const f of USAGE_DETAIL_FIELDS) if (r[f]) usageDetails[f] = r[f];
  const serviceTier = r.service_tier ?? (typeof metadata.service_tier === 'string' ? metadata.service_tier : undefined);

  const fromSource = r.cost_usd !== undefined && r.cost_usd !== null;
  let cost: number | null = fromSource ? usdToNano(r.cost_usd as number) : null;
  // reasoning/audio/image tokens are parts of output_tokens / input_tokens here (OpenAI, OTel convention), not billed twice;
  // usage buckets of the Batch API (openai_usage: metadata.batch) get its discount
  const priced = fromSource ? null : (ctx.prices ?? PriceBook.empty).price(r.provider, r.model, callUsage({ ...r, ...usageDetails, service_tier: serviceTier, metadata }));
  if (priced) {
    cost = priced.nano;
    if (priced.flags.length > 0) metadata.cost_flags = priced.flags;
    if (priced.rule_id) metadata.price_rule = priced.rule_id;
  } else if (!fromSource) {
    // no price for this model (not in the catalog nor the org's prices): the cost stays unknown, never zero, and says why
    metadata.cost_flags = ['unknown_model'];
  }

  return {
    ok: true,
    call: {
      request_id: id,
      timestamp: r.timestamp,
      ...(r.project !== undefined && { project: r.project }),
      ...(r.user !== undefined && { user: r.user }),
      ...(r.api_key !== undefined && { api_key: r.api_key }),
      ...(r.feature !== undefined && { feature: r.feature }),
      provider,
      model: r.model,
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      cached_input_tokens: r.cached_input_tokens,
      cache_write_tokens: r.cache_write_tokens,
      reasoning_tokens: r.reasoning_tokens,
      ...usageDetails,
      ...(serviceTier !== undefined && { service_tier: serviceTier }),
      latency_ms: r.latency_ms ?? null,
      ttft_ms: r.ttft_ms ?? null,
      status: r.status,
      cost_nanousd: cost,
      cost_from_source: fromSource,
      prompt_hash: r.prompt_hash ?? null,
      prefix_hashes: r.prefix_hashes ?? [],
      max_tokens: r.max_tokens ?? null,
      stream: r.stream ?? null,
      region: r.region ?? null,
      attempt: r.attempt ?? 1,
      trace_id: r.trace_id ?? null,
      span_id: r.span_id ?? null,
      metadata,
      source: ctx.source,
    },
  };
}

type Issue = { code?: string; path: readonly PropertyKey[]; message: string; errors?: readonly (readonly Issue[])[] };

/**
 * "input_tokens: Too small: expected number to be >=0; model: …" (up to three). A cross-field check is
 * dropped when a field already failed (it only echoes it), and a union names its closest branch's problem
 * ("timestamp is not ISO 8601", not "Invalid input").
 */
function describeIssues(issues: readonly Issue[]): string {
  const fieldIssues = issues.filter((i) => i.code !== 'custom');
  return (fieldIssues.length > 0 ? fieldIssues : issues)
    .slice(0, 3)
    .map((i) => {
      const inner = i.errors?.flat().find((e) => e.code !== 'invalid_type');
      const where = [...i.path, ...(inner?.path ?? [])].map(String).join('.');
      const message = inner?.message ?? i.message;
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}
