// What every tool shares: its context, the finding builders (which own the money conventions and the
// NaN guards), catalog access for a profile group, and prefix-cache bucket selection.
import { costNano, findModel } from '../catalog/index.js';
import { basisEvidence, monthlyBasis, monthlyUsd } from '../monthly-basis.js';
import type { CallUsage, CatalogModel } from '../catalog/types.js';
import { pctOf, type Finding, type FindingKind, type FindingScope, type Level, type ToolFamily } from '../findings.js';
import {
  CACHE_MIN_TOKENS,
  CACHE_TTLS_S,
  type CacheMinTokens,
  type CacheTtlS,
  type ModelProfile,
  type PrefixCacheStats,
  type SegmentProfile,
  type WorkloadProfile,
} from '../profile/types.js';

export interface ToolContext {
  /** Monthly AI budget in USD, when the org set one. */
  budget_usd_month?: number;
  /** Loaded cost of an engineer hour, for ROI payback. */
  engineer_hourly_usd: number;
  /** Saving findings below this monthly value are dropped by runAllTools. */
  min_saving_usd_month: number;
  /** Findings of the tools that ran before this one (reporting and policy tools read them). */
  findings: readonly Finding[];
}

export const DEFAULT_CONTEXT: ToolContext = { engineer_hourly_usd: 150, min_saving_usd_month: 0.01, findings: [] };

export interface Tool {
  id: string;
  family: ToolFamily;
  description: string;
  run: (profile: WorkloadProfile, ctx: ToolContext) => Finding[];
}

/** Distribution-based tools need this many ok calls in a segment. */
export const MIN_CALLS = 20;

const LEVELS: Level[] = ['low', 'medium', 'high'];

/** conf(n) capped at the tool's own ceiling. */
export function confidence(calls: number, cap: Level = 'high'): Level {
  const bySample: Level = calls >= 1000 ? 'high' : calls >= 100 ? 'medium' : 'low';
  return LEVELS[Math.min(LEVELS.indexOf(bySample), LEVELS.indexOf(cap))]!;
}

/** a / b, 0 when b is 0 or the result is not finite. */
export function ratio(a: number, b: number): number {
  const r = b === 0 ? 0 : a / b;
  return Number.isFinite(r) ? r : 0;
}

const finiteOr = (v: number, fallback: number): number => (Number.isFinite(v) ? v : fallback);

export interface FindingDraft {
  tool: string;
  family: ToolFamily;
  title: string;
  summary: string;
  where: FindingScope;
  calls_affected: number;
  confidence: Level;
  risk: Level;
  evidence: Record<string, unknown>;
  recommendation: string;
  latency_effect_ms?: number | null;
}

function finding(kind: FindingKind, d: FindingDraft, savingNano: number, profile: WorkloadProfile): Finding {
  const saving = Math.max(0, Math.round(finiteOr(savingNano, 0)));
  const latency = d.latency_effect_ms;
  return {
    tool: d.tool,
    family: d.family,
    kind,
    title: d.title,
    summary: d.summary,
    where: d.where,
    calls_affected: Math.max(0, Math.round(finiteOr(d.calls_affected, 0))),
    saving_nanousd: saving,
    saving_usd_month: finiteOr(monthlyUsd(profile, saving), 0),
    saving_pct: finiteOr(pctOf(saving, profile.totals.cost_nanousd), 0),
    latency_effect_ms: latency === null || latency === undefined || !Number.isFinite(latency) ? null : Math.round(latency),
    confidence: d.confidence,
    risk: d.risk,
    evidence: { ...d.evidence, monthly_basis: basisEvidence(monthlyBasis(profile)) },
    recommendation: d.recommendation,
  };
}

export const savingFinding = (d: FindingDraft, savingNano: number, profile: WorkloadProfile): Finding =>
  finding('saving', d, savingNano, profile);
export const insightFinding = (d: FindingDraft, profile: WorkloadProfile): Finding => finding('insight', d, 0, profile);
export const dataQualityFinding = (d: FindingDraft, profile: WorkloadProfile): Finding => finding('data_quality', d, 0, profile);

/** A segment's scope; the calls that name no feature are the group 'untagged' (not every call of the model). */
export function segmentWhere(s: Pick<SegmentProfile, 'feature' | 'provider' | 'model'>): FindingScope {
  return s.feature ? { feature: s.feature, provider: s.provider, model: s.model } : { provider: s.provider, model: s.model, group: UNTAGGED };
}

export const UNTAGGED = 'untagged';

export const modelWhere = (m: Pick<ModelProfile, 'provider' | 'model'>): FindingScope => ({ provider: m.provider, model: m.model });

/** Key of the segment a finding is scoped to ('' feature when untagged). */
export const segmentKey = (w: FindingScope): string => `${w.feature ?? ''}\u0000${w.provider ?? ''}\u0000${w.model ?? ''}`;

export function segmentLabel(s: Pick<SegmentProfile, 'feature' | 'provider' | 'model'>): string {
  return `${s.feature || '(untagged)'} on ${s.provider}/${s.model}`;
}

export function formatUsd(nano: number): string {
  const usd = finiteOr(nano, 0) / 1e9;
  if (Math.abs(usd) >= 100) return `$${Math.round(usd).toLocaleString('en-US')}`;
  return `$${usd.toFixed(Math.abs(usd) >= 1 ? 2 : 4)}`;
}

export const formatPct = (share: number): string => `${(finiteOr(share, 0) * 100).toFixed(1)}%`;

/** The catalog model of a known profile group. */
export function catalogModelOf(g: { provider: string; model: string; known: boolean }): CatalogModel | undefined {
  return g.known ? findModel(g.model, g.provider) : undefined;
}

/** Token sums of a group as catalog usage (output_tokens already include reasoning tokens; tiers on the mean prompt). */
export function usageOf(g: SegmentProfile | ModelProfile): CallUsage {
  return {
    input_tokens: g.input_tokens,
    output_tokens: g.output_tokens,
    cached_input_tokens: g.cached_input_tokens,
    cache_write_tokens: g.cache_write_tokens,
    calls: g.calls,
  };
}

export const costOf = (m: CatalogModel, usage: CallUsage): number => costNano(m, usage);

/** Nano-USD per token of a $/1M price. */
export const perToken = (perM: number): number => perM * 1000;

/** Prompt-cache prices of a model, nano-USD per token; null when it has no prompt cache. */
export interface CachePrices {
  input: number;
  cachedRead: number;
  /** 5-min (default TTL) write premium over input: max(0, P_cw − P_in). */
  writePremium: number;
  /** Whether writes are billed apart (Anthropic-style explicit caching). */
  explicit: boolean;
}

export function cachePrices(m: CatalogModel): CachePrices | null {
  if (m.cached_input_per_m === null) return null;
  const input = perToken(m.input_per_m);
  const writePremium = m.cache_write_per_m === null ? 0 : Math.max(0, perToken(m.cache_write_per_m) - input);
  return { input, cachedRead: perToken(m.cached_input_per_m), writePremium, explicit: writePremium > 0 };
}

/** TTL bucket of a model: 3600 when its cache lives ≥ 1 h, else 300. */
export const ttlBucket = (m: CatalogModel): CacheTtlS => ((m.cache_ttl_s ?? 0) >= 3600 ? 3600 : 300);

/** Smallest threshold ≥ the model's minimum cacheable prefix (4096 when above all). */
export function minTokensBucket(m: CatalogModel): CacheMinTokens {
  const min = m.cache_min_tokens ?? 0;
  return CACHE_MIN_TOKENS.find((t) => t >= min) ?? CACHE_MIN_TOKENS[CACHE_MIN_TOKENS.length - 1]!;
}

export function prefixStats(s: SegmentProfile, ttl: CacheTtlS, min: CacheMinTokens): PrefixCacheStats {
  const hit = s.prefix_cache.find((p) => p.ttl_s === ttl && p.min_tokens === min);
  return hit ?? { ttl_s: ttl, min_tokens: min, hit_calls: 0, repeat_tokens: 0, gap_tokens: 0, write_tokens: 0, extra_write_tokens: 0 };
}

/** Prefix-cache saving at one TTL: gap·(P_in − P_cr) − extra_write·premium (1 h writes of explicit caches cost 2×). */
export function prefixCacheSaving(s: SegmentProfile, prices: CachePrices, ttl: CacheTtlS, min: CacheMinTokens): number {
  const st = prefixStats(s, ttl, min);
  const premium = prices.explicit && ttl === CACHE_TTLS_S[1] ? prices.input : prices.writePremium;
  return st.gap_tokens * (prices.input - prices.cachedRead) - st.extra_write_tokens * premium;
}

/** Segments of the profile with enough ok calls for distribution-based tools, on a known model. */
export function knownSegments(profile: WorkloadProfile, minOkCalls = 0): { seg: SegmentProfile; model: CatalogModel }[] {
  const out: { seg: SegmentProfile; model: CatalogModel }[] = [];
  for (const seg of profile.segments) {
    if (seg.ok_calls < minOkCalls) continue;
    const model = catalogModelOf(seg);
    if (model) out.push({ seg, model });
  }
  return out;
}
