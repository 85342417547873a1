// Ground-truth arithmetic shared by the plants: the sums and percentiles the tools' saving contract
// (engine/tools/README.md) is written in, recomputed here from the planted calls, never by the tools.
import type { CallUsage, CatalogModel } from '../catalog/types.js';
import { perMonthUsd, type FindingScope } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';
import type { GroupWindow } from './groups.js';
import type { GroundTruthItem } from './types.js';

/** Nano-USD per token of a $/1M price. */
export const nanoPerToken = (perM: number): number => perM * 1000;

/** Token sums of a group of calls, as catalog usage (the contract's segment usage U; tiers on the mean prompt). */
export function usageOf(calls: readonly LlmCall[]): CallUsage {
  const u = { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, calls: calls.length };
  for (const c of calls) {
    u.input_tokens += c.input_tokens;
    u.output_tokens += c.output_tokens;
    u.cached_input_tokens += c.cached_input_tokens;
    u.cache_write_tokens += c.cache_write_tokens;
  }
  return u;
}

/** Nearest-rank percentile (per-mille pm) of values: the value at 1-based rank max(1, ceil(pm·n/1000)). */
export function nearestRankPercentile(values: readonly number[], pm: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((pm * sorted.length) / 1000));
  return sorted[rank - 1] ?? 0;
}

export const isOk = (c: LlmCall): boolean => c.status === 'ok';

export function savingItem(
  window: GroupWindow,
  f: { tool: string; where: FindingScope; saving_nanousd: number; planted_calls: number; note: string },
): GroundTruthItem {
  const saving = Math.round(f.saving_nanousd);
  return { ...f, kind: 'saving', saving_nanousd: saving, saving_usd_month: perMonthUsd(saving, window.days), evidence: {} };
}

export function insightItem(f: {
  tool: string;
  where: FindingScope;
  evidence: Record<string, number>;
  planted_calls: number;
  note: string;
}): GroundTruthItem {
  return { ...f, kind: 'insight', saving_nanousd: 0, saving_usd_month: 0 };
}

/** The contract's prompt-cache buckets of a model: TTL 3600 s when the cache lives ≥ 1 h, else 300 s; the
 * smallest of 512/1024/4096 tokens ≥ its minimum cacheable prefix. */
export function cacheBuckets(model: CatalogModel): { ttlMs: number; minTokens: number } {
  const ttlMs = (model.cache_ttl_s ?? 0) >= 3600 ? 3_600_000 : 300_000;
  const min = model.cache_min_tokens ?? 0;
  return { ttlMs, minTokens: [512, 1024, 4096].find((t) => t >= min) ?? 4096 };
}
