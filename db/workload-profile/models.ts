// models: one row per (provider, model) of the valid calls — CallCounts & TokenSums (derive.ts §cost,
// §status) and the nearest-rank distributions of ModelAcc (accumulators.ts): ok latency, ok ttft, ok
// streamed ttft, and the input tokens of all calls. `known` is decided by the caller from the catalog. The
// counts are sums of the hourly rollup (call-rollup.ts), the distributions one pass over the calls.
import type { ClickHouseClient } from '../clickhouse';
import type { ModelProfile } from '../../engine/profile/types';
import { CALL_ROLLUP, COUNT_NAMES } from './call-rollup';
import { sumColumns, windowRollup } from './rollup';
import { CALLS, InvalidReason, dist, num, queryRows, str, toCounts, toDistribution, type ProfileParams } from './sql';

const PAIR_NAMES = `{pairs_p:Array(String)}[pm] AS segment_provider, {pairs_m:Array(String)}[pm] AS segment_model`;

/** The counts: sums of the hourly rollup (call-rollup.ts). */
const COUNTS = windowRollup(CALL_ROLLUP, `pm, ${PAIR_NAMES}, ${sumColumns(CALL_ROLLUP, COUNT_NAMES)}`, `invalid_reason = ${InvalidReason.None}`, 'pm');

/** The distributions: one pass over the valid calls in scope. */
const DISTRIBUTIONS = `
SELECT pm,
  ${dist('d_latency', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')},
  ${dist('d_ttft', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL')},
  ${dist('d_ttft_streamed', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL AND streamed')},
  ${dist('d_input', 'input_tokens')}
FROM (${CALLS})
GROUP BY pm`;

export async function loadModels(
  ch: ClickHouseClient,
  params: ProfileParams,
  isKnown: (provider: string, model: string) => boolean,
): Promise<ModelProfile[]> {
  const [counts, distributions] = await Promise.all([queryRows(ch, COUNTS, params), queryRows(ch, DISTRIBUTIONS, params)]);
  const distributionsOf = new Map(distributions.map((d) => [num(d, 'pm'), d]));
  return counts.map((r) => {
    const provider = str(r, 'segment_provider');
    const model = str(r, 'segment_model');
    const d = distributionsOf.get(num(r, 'pm'));
    if (!d) throw new Error('workload profile: a model without its distributions');
    return {
      provider,
      model,
      known: isKnown(provider, model),
      ...toCounts(r),
      latency_ms: toDistribution(d, 'd_latency'),
      ttft_ms: toDistribution(d, 'd_ttft'),
      ttft_streamed_ms: toDistribution(d, 'd_ttft_streamed'),
      input_tokens_dist: toDistribution(d, 'd_input'),
    };
  });
}
