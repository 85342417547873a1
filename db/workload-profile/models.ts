// models: one row per (provider, model) of the valid calls — CallCounts & TokenSums (derive.ts §cost,
// §status) and the nearest-rank distributions of ModelAcc (accumulators.ts): ok latency, ok ttft, ok
// streamed ttft, and the input tokens of all calls. `known` is decided by the caller from the catalog.
import type { ClickHouseClient } from '../clickhouse';
import type { ModelProfile } from '../../engine/profile/types';
import { CALLS, COUNTS, dist, queryRows, str, toCounts, toDistribution, type ProfileParams } from './sql';

const QUERY = `
SELECT {pairs_p:Array(String)}[pm] AS segment_provider, {pairs_m:Array(String)}[pm] AS segment_model, ${COUNTS},
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
  return (await queryRows(ch, QUERY, params)).map((r) => {
    const provider = str(r, 'segment_provider');
    const model = str(r, 'segment_model');
    return {
      provider,
      model,
      known: isKnown(provider, model),
      ...toCounts(r),
      latency_ms: toDistribution(r, 'd_latency'),
      ttft_ms: toDistribution(r, 'd_ttft'),
      ttft_streamed_ms: toDistribution(r, 'd_ttft_streamed'),
      input_tokens_dist: toDistribution(r, 'd_input'),
    };
  });
}
