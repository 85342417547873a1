// models: one row per (provider, model) of the valid calls — CallCounts & TokenSums (derive.ts §cost,
// §status) and the nearest-rank distributions of ModelAcc (accumulators.ts): ok latency, ok ttft, ok
// streamed ttft, and the input tokens of all calls. `known` is decided by the caller from the catalog. The
// counts add up the pair's valid rows of the call sums (call-sums.ts), the distributions are one pass over
// the calls.
import type { ClickHouseClient } from '../clickhouse';
import { addCounts } from '../../engine/profile/accumulators';
import type { ModelProfile } from '../../engine/profile/types';
import type { CallSums } from './call-sums';
import { CALLS, dist, num, queryRows, toCounts, toDistribution, type ProfileParams, type Row } from './sql';

const DISTRIBUTIONS = `
SELECT pm,
  ${dist('d_latency', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')},
  ${dist('d_ttft', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL')},
  ${dist('d_ttft_streamed', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL AND streamed')},
  ${dist('d_input', 'input_tokens')}
FROM (${CALLS})
GROUP BY pm`;

/** The distributions per pair id. */
export async function loadModelDistributions(ch: ClickHouseClient, params: ProfileParams): Promise<Map<number, Row>> {
  return new Map((await queryRows(ch, DISTRIBUTIONS, params)).map((d) => [num(d, 'pm'), d]));
}

export function modelProfiles(sums: readonly CallSums[], distributions: ReadonlyMap<number, Row>, isKnown: (provider: string, model: string) => boolean): ModelProfile[] {
  const byPair = new Map<number, ModelProfile>();
  for (const s of sums) {
    if (!s.valid) continue;
    const counts = toCounts(s.row);
    const m = byPair.get(s.pm);
    if (m) {
      addCounts(m, counts);
      continue;
    }
    const d = distributions.get(s.pm);
    if (!d) throw new Error('workload profile: a model without its distributions');
    byPair.set(s.pm, {
      provider: s.provider,
      model: s.model,
      known: isKnown(s.provider, s.model),
      ...counts,
      latency_ms: toDistribution(d, 'd_latency'),
      ttft_ms: toDistribution(d, 'd_ttft'),
      ttft_streamed_ms: toDistribution(d, 'd_ttft_streamed'),
      input_tokens_dist: toDistribution(d, 'd_input'),
    });
  }
  return [...byPair.values()];
}
