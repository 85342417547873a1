// Ground-truth arithmetic shared by the plants: the sums and percentiles the tools' saving contract
// (engine/tools/README.md) is written in, recomputed here from the planted calls, never by the tools.
import type { CallUsage } from '../catalog/types.js';
import { perMonthUsd, type FindingScope } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';
import type { GroupWindow } from './groups.js';
import type { GroundTruthItem } from './types.js';

/** Nano-USD per token of a $/1M price. */
export const nanoPerToken = (perM: number): number => perM * 1000;

/** Token sums of a group of calls, as catalog usage (the contract's segment usage U). */
export function usageOf(calls: readonly LlmCall[]): CallUsage {
  const u = { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 };
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

export function truthItem(
  window: GroupWindow,
  fields: { tool: string; where: FindingScope; saving_nanousd: number; calls_affected: number; note: string; latency_saving_ms?: number },
): GroundTruthItem {
  const saving = Math.round(fields.saving_nanousd);
  return {
    tool: fields.tool,
    where: fields.where,
    saving_nanousd: saving,
    saving_usd_month: perMonthUsd(saving, window.days),
    latency_saving_ms: fields.latency_saving_ms ?? null,
    calls_affected: fields.calls_affected,
    note: fields.note,
  };
}
