// POST /api/supply/estimate: what a workload would cost on each candidate model, cheapest first,
// with the saving against the current model. Money is summed in integer nano-dollars.
import * as z from 'zod';
import { MAX_TOKENS_PER_FIELD, nanoToUsd } from '../telemetry/record';
import { costNano } from './cost';
import { CATALOG, catalogOrder } from './data';
import { findModel } from './lookup';
import { sameOpenModel, substitutes } from './substitutes';
import type { CallUsage, CatalogModel } from './types';

const share = z.number().min(0).max(1);
const avgTokens = z.number().finite().min(0).max(MAX_TOKENS_PER_FIELD);
const tokens = z.number().int().min(0).max(MAX_TOKENS_PER_FIELD);

/** A workload described by its averages. */
export const workloadProfile = z
  .object({
    calls_per_month: z.number().int().min(1).max(10_000_000_000),
    avg_input_tokens: avgTokens,
    avg_output_tokens: avgTokens,
    /** Share of input tokens served from the provider's prompt cache. */
    cached_share: share.default(0),
    /** Share of calls sent through a batch API. */
    batch_share: share.default(0),
  })
  .strict();

/** One call of a sample of real calls. */
export const sampleCall = z
  .object({
    model: z.string().min(1).max(200),
    provider: z.string().min(1).max(100).optional(),
    input_tokens: tokens,
    output_tokens: tokens.default(0),
    cached_input_tokens: tokens.default(0),
    cache_write_tokens: tokens.default(0),
    /** Part of output_tokens (billed as output, once). */
    reasoning_tokens: tokens.default(0),
    batch: z.boolean().default(false),
  })
  .strict()
  .refine((c) => c.cached_input_tokens + c.cache_write_tokens <= c.input_tokens, {
    message: 'cached_input_tokens + cache_write_tokens cannot exceed input_tokens',
    path: ['cached_input_tokens'],
  })
  .refine((c) => c.reasoning_tokens <= c.output_tokens, {
    message: 'reasoning_tokens are part of output_tokens and cannot exceed them',
    path: ['reasoning_tokens'],
  });

/** Body of POST /api/supply/estimate. */
export const estimateRequest = z
  .object({
    workload: z.union([workloadProfile, z.array(sampleCall).min(1).max(10_000)]),
    /** The model the workload runs on now; for a sample it defaults to each call's own model. */
    current_model: z.string().min(1).max(200).optional(),
    current_provider: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict();

export type EstimateRequest = z.output<typeof estimateRequest>;
export type Workload = EstimateRequest['workload'];
type Profile = z.output<typeof workloadProfile>;
type Sample = z.output<typeof sampleCall>[];

export interface ModelRef {
  provider: string;
  id: string;
  vendor: string;
  tier: CatalogModel['tier'];
  open_model: string | null;
}

export interface EstimateCandidate {
  model: ModelRef;
  cost_usd: number;
  /** current − candidate (negative = dearer); null when there is no current cost. */
  saving_usd: number | null;
  saving_pct: number | null;
}

export interface EstimateResult {
  basis: 'profile' | 'sample';
  /** Costs are per month for a profile, for the calls given for a sample. */
  period: 'month' | 'sample';
  calls: number;
  /** What the workload costs now (model null = a sample's own mix of models); null when unknown. */
  current: { model: ModelRef | null; cost_usd: number } | null;
  candidates: EstimateCandidate[];
  /** Sample calls whose model the catalog does not know: left out of every cost. */
  unpriced_calls: number;
  unknown_models: string[];
}

const ref = (m: CatalogModel): ModelRef => ({ provider: m.provider, id: m.id, vendor: m.vendor, tier: m.tier, open_model: m.open_model });

/** Cached tokens count only where the candidate caches prompts of that length (LEVERS L2 minimums). */
function onModel(m: CatalogModel, u: CallUsage): CallUsage {
  const cacheable = m.cache_min_tokens !== null && u.input_tokens >= m.cache_min_tokens;
  return cacheable ? u : { ...u, cached_input_tokens: 0 };
}

/** A profile's monthly cost: its average call priced once, times the calls (split batch / not). */
function profileNano(m: CatalogModel, p: Profile): number {
  const call: CallUsage = {
    input_tokens: p.avg_input_tokens,
    output_tokens: p.avg_output_tokens,
    cached_input_tokens: p.avg_input_tokens * p.cached_share,
  };
  const batched = Math.round(p.calls_per_month * p.batch_share);
  return (p.calls_per_month - batched) * costNano(m, onModel(m, call)) + batched * costNano(m, onModel(m, { ...call, batch: true }));
}

function sampleNano(m: CatalogModel, calls: Sample): number {
  let total = 0;
  for (const c of calls) total += costNano(m, onModel(m, c));
  return total;
}

/** Candidates: the reference model, its substitutes and its other open-weights providers; all chat models without one. */
function candidatesFor(reference: CatalogModel | undefined): CatalogModel[] {
  if (!reference) return CATALOG.filter((m) => m.modality !== 'embedding');
  return [...new Set([reference, ...substitutes(reference), ...sameOpenModel(reference)])];
}

/**
 * Prices a workload on every candidate model, cheapest first. Candidates whose context window is smaller
 * than the workload's largest prompt are left out. The cached share is assumed to carry over to
 * candidates that cache (above their minimum prefix); batch shares get each candidate's own discount.
 */
export function estimateWorkload(
  workload: Workload,
  opts: { current_model?: string; current_provider?: string; limit?: number } = {},
): EstimateResult {
  const limit = opts.limit ?? 20;
  const unknown = new Set<string>();
  const current = opts.current_model ? findModel(opts.current_model, opts.current_provider) : undefined;
  if (opts.current_model && !current) unknown.add(opts.current_model);

  let price: (m: CatalogModel) => number;
  let currentNano: number | null = null;
  let reference = current;
  let maxInput: number;
  let calls: number;
  let unpriced = 0;

  if (Array.isArray(workload)) {
    const resolved = workload.map((c) => ({ call: c, model: findModel(c.model, c.provider) }));
    const priced = resolved.filter((r) => r.model !== undefined).map((r) => r.call);
    for (const r of resolved) if (!r.model) unknown.add(r.call.model);
    unpriced = workload.length - priced.length;
    calls = priced.length;
    maxInput = Math.max(0, ...priced.map((c) => c.input_tokens));
    price = (m) => sampleNano(m, priced);
    if (current) {
      currentNano = price(current);
    } else if (priced.length > 0) {
      // No current model named: the sample's own mix is the current cost; its biggest spender the reference.
      const spend = new Map<CatalogModel, number>();
      currentNano = 0;
      for (const r of resolved) {
        if (!r.model) continue;
        const nano = costNano(r.model, r.call);
        currentNano += nano;
        spend.set(r.model, (spend.get(r.model) ?? 0) + nano);
      }
      reference = [...spend].sort((a, b) => b[1] - a[1] || catalogOrder(a[0], b[0]))[0]?.[0];
    }
  } else {
    const profile = workload;
    calls = profile.calls_per_month;
    maxInput = profile.avg_input_tokens;
    price = (m) => profileNano(m, profile);
    if (current) currentNano = price(current);
  }

  // A sample none of whose models is known has nothing to price.
  const pool = Array.isArray(workload) && calls === 0 ? [] : candidatesFor(reference);
  const candidates = pool
    .filter((m) => m.context_window >= maxInput)
    .map((m) => ({ m, nano: price(m) }))
    .sort((a, b) => a.nano - b.nano || catalogOrder(a.m, b.m))
    .slice(0, limit)
    .map(({ m, nano }): EstimateCandidate => {
      const saving = currentNano === null ? null : currentNano - nano;
      return {
        model: ref(m),
        cost_usd: nanoToUsd(nano),
        saving_usd: saving === null ? null : nanoToUsd(saving),
        saving_pct: saving === null || !currentNano ? null : Math.round((saving / currentNano) * 1000) / 10,
      };
    });

  return {
    basis: Array.isArray(workload) ? 'sample' : 'profile',
    period: Array.isArray(workload) ? 'sample' : 'month',
    calls,
    current: currentNano === null ? null : { model: current ? ref(current) : null, cost_usd: nanoToUsd(currentNano) },
    candidates,
    unpriced_calls: unpriced,
    unknown_models: [...unknown].slice(0, 20),
  };
}
