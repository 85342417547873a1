// Builds one synthetic LlmCall: catalog cost, and latency / time-to-first-token roughly proportional to tokens.
import { costNano, findModel } from '../catalog/index.js';
import type { CapabilityTier, CatalogModel } from '../catalog/types.js';
import type { LlmCall } from '../telemetry/record.js';
import type { Rng } from './prng.js';

/** Serving speed by tier: fixed overhead, prefill ms per uncached input token, decode ms per output token. */
const SPEED: Record<CapabilityTier, { overheadMs: number; prefillMs: number; decodeMs: number }> = {
  frontier: { overheadMs: 550, prefillMs: 0.08, decodeMs: 28 },
  high: { overheadMs: 420, prefillMs: 0.06, decodeMs: 18 },
  mid: { overheadMs: 300, prefillMs: 0.04, decodeMs: 11 },
  small: { overheadMs: 220, prefillMs: 0.025, decodeMs: 7 },
  embedding: { overheadMs: 60, prefillMs: 0.01, decodeMs: 0 },
};

/** Cached prefix tokens prefill at this fraction of the uncached cost (providers report large TTFT cuts). */
const CACHED_PREFILL_FACTOR = 0.2;
/** A rejected call (429) returns after a short round trip, with no tokens. */
const REJECT_LATENCY_MS = 40;

export function catalogModel(id: string): CatalogModel {
  const model = findModel(id);
  if (!model) throw new Error(`synthetic workload uses a model missing from the catalog: ${id}`);
  return model;
}

export interface CallSpec {
  timestamp: number;
  feature: string;
  model: CatalogModel;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  user?: string;
  status?: string;
  stream: boolean;
  max_tokens: number | null;
  prompt_hash: string;
  prefix_hashes?: string[];
  attempt?: number;
  /** Overrides the modelled latency (e.g. a client timeout at a round limit). */
  latency_ms?: number;
}

export function makeCall(rng: Rng, spec: CallSpec): LlmCall {
  const cached = spec.cached_input_tokens ?? 0;
  const cacheWrite = spec.cache_write_tokens ?? 0;
  const status = spec.status ?? 'ok';
  const speed = SPEED[spec.model.tier];
  const rejected = status === '429';
  const ttft = rejected
    ? REJECT_LATENCY_MS
    : (speed.overheadMs + speed.prefillMs * (spec.input_tokens - cached + CACHED_PREFILL_FACTOR * cached)) * rng.jitter(0.2);
  const latency = spec.latency_ms ?? (rejected ? ttft : ttft + speed.decodeMs * spec.output_tokens * rng.jitter(0.15));
  return {
    request_id: `req_${rng.hex()}`,
    timestamp: Math.floor(spec.timestamp),
    project: 'synthetic',
    // Always present (possibly undefined): one object shape for every call keeps consumers monomorphic.
    user: spec.user,
    feature: spec.feature,
    provider: spec.model.provider,
    model: spec.model.id,
    input_tokens: spec.input_tokens,
    output_tokens: spec.output_tokens,
    cached_input_tokens: cached,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: 0,
    latency_ms: Math.round(latency),
    ttft_ms: spec.stream ? Math.round(Math.min(ttft, latency)) : null,
    status,
    cost_nanousd: costNano(spec.model, {
      input_tokens: spec.input_tokens,
      output_tokens: spec.output_tokens,
      cached_input_tokens: cached,
      cache_write_tokens: cacheWrite,
    }),
    cost_from_source: false,
    prompt_hash: spec.prompt_hash,
    prefix_hashes: spec.prefix_hashes ?? [],
    max_tokens: spec.max_tokens,
    stream: spec.stream,
    region: null,
    attempt: spec.attempt ?? 1,
    trace_id: null,
    span_id: null,
    metadata: {},
    source: 'synthetic',
  };
}
