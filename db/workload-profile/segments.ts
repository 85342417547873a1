// segments: one row per (feature, provider, model) of the valid calls — everything SegmentAcc
// (accumulators.ts) sums, with the per-call rules of derive.ts (rules.ts: exact dup, near dup, retry,
// session, unread), plus:
//   billed         status ≠ ok and output_tokens > 0
//   off-hours      UTC hour-of-day < 6 (floor(ts / 1 h) mod 24, as the reference computes it)
//   at limit       L·1000 ≤ latency_ms < L·1000 + 1000 for L in ROUND_LIMITS_S (any status)
//   per minute     calls per active minute of the segment: the run lengths of its sorted minute buckets
//   output excess  Σ max(0, output − p95) and Σ max(0, output − p99) over ok calls
// The sums (counts, tokens, costs, the rules' counts and the exact duplicates' latency) are the valid rows of
// the call sums (call-sums.ts); the distributions, output excess and calls per minute are one pass over the
// valid calls. The prefix-cache columns come from prefix.ts.
import type { ClickHouseClient } from '../clickhouse';
import { MINUTE_MS } from '../../engine/profile/derive';
import { ROUND_LIMITS_S, type SegmentProfile } from '../../engine/profile/types';
import type { CallSums } from './call-sums';
import { CALLS, SEGMENT_NAMES, bucket, dist, distOfArray, num, percentileOf, queryRows, segmentKey, str, toCounts, toDistribution, valuesOf, type ProfileParams, type Row } from './sql';

/** Σ max(0, v − p) over the ok outputs (the array d_output was computed from), p = its percentile i (0 when there are none). */
const excessOver = (i: 2 | 3): string =>
  `arraySum(x -> greatest(toInt64(x) - toInt64(${percentileOf('d_output', i)}), 0), ${valuesOf('d_output')})`;

/**
 * The lengths of the runs of equal values of the sorted array `sorted` (the count of each distinct value),
 * from the indices where a run starts: [] when empty. Lambdas take only zipped arrays (a captured array
 * would be copied per element).
 */
const RUN_LENGTHS = (sorted: string): string =>
  `arrayPopFront(arrayDifference(arrayPushBack(arrayFilter((i, d) -> i = 1 OR d != 0, arrayEnumerate(${sorted} AS _runs), arrayDifference(_runs)), length(_runs) + 1)))`;

/** The distributions: one pass over the valid calls in scope. */
const DISTRIBUTIONS = `
SELECT ${SEGMENT_NAMES},
  ${dist('d_latency', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')},
  ${dist('d_latency_non_streamed', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL AND non_streamed')},
  ${dist('d_ttft', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL')},
  ${dist('d_input', 'input_tokens', 'ok')},
  ${distOfArray('d_output', 'groupArrayIf(output_tokens, ok)')},
  ${excessOver(2)} AS sum_output_over_p95,
  ${excessOver(3)} AS sum_output_over_p99,
  ${distOfArray('d_per_minute', RUN_LENGTHS(`arraySort(groupArray(${bucket(MINUTE_MS)}))`))}
FROM (${CALLS})
GROUP BY fid, pm`;

export type SegmentRow = Omit<SegmentProfile, 'prefix_cache'>;

/** The distributions per segment key (sql.ts segmentKey). */
export async function loadSegmentDistributions(ch: ClickHouseClient, params: ProfileParams): Promise<Map<string, Row>> {
  const rows = await queryRows(ch, DISTRIBUTIONS, params);
  return new Map(rows.map((d) => [segmentKey(str(d, 'segment_feature'), str(d, 'segment_provider'), str(d, 'segment_model')), d]));
}

/** The segments: the valid rows of the call sums with their distributions. */
export function segmentRows(sums: readonly CallSums[], distributions: ReadonlyMap<string, Row>, isKnown: (provider: string, model: string) => boolean): SegmentRow[] {
  return sums.filter((s) => s.valid).map(({ feature, provider, model, row: p }) => {
    const d = distributions.get(segmentKey(feature, provider, model));
    if (!d) throw new Error('workload profile: a segment without its distributions');
    return {
      feature,
      provider,
      model,
      known: isKnown(provider, model),
      ...toCounts(p),
      streamed_calls: num(p, 'n_streamed'),
      non_streamed_calls: num(p, 'n_non_streamed'),
      user_calls: num(p, 'n_user'),
      off_hours_calls: num(p, 'n_off_hours'),
      max_tokens_set_calls: num(p, 'n_max_tokens_set'),
      hit_max_tokens_calls: num(p, 'n_hit_max_tokens'),
      billed_failed_calls: num(p, 'n_billed_failed'),
      billed_failed_cost_nanousd: num(p, 'sum_billed_failed_cost'),
      latency_ms: toDistribution(d, 'd_latency'),
      latency_non_streamed_ms: toDistribution(d, 'd_latency_non_streamed'),
      ttft_ms: toDistribution(d, 'd_ttft'),
      input_tokens_dist: toDistribution(d, 'd_input'),
      output_tokens_dist: toDistribution(d, 'd_output'),
      ok_output_tokens: num(p, 'sum_ok_output'),
      output_over_p95_tokens: num(d, 'sum_output_over_p95'),
      output_over_p99_tokens: num(d, 'sum_output_over_p99'),
      calls_per_minute: toDistribution(d, 'd_per_minute'),
      exact_dup_calls: num(p, 'n_exact_dup'),
      exact_dup_cost_nanousd: num(p, 'sum_exact_dup_cost'),
      exact_dup_latency_ms: num(p, 'sum_exact_dup_latency'),
      double_fire_calls: num(p, 'n_double_fire'),
      near_dup_calls: num(p, 'n_near_dup'),
      near_dup_cost_nanousd: num(p, 'sum_near_dup_cost'),
      retry_calls: num(p, 'n_retry'),
      retry_after_429_calls: num(p, 'n_retry_after_429'),
      fast_retry_after_429_calls: num(p, 'n_fast_retry_after_429'),
      retry_wait_ms: num(p, 'sum_retry_wait'),
      fallback_calls: num(p, 'n_fallback'),
      prefix_calls: num(p, 'n_prefix'),
      cache_write_calls: num(p, 'n_cache_write'),
      cache_write_unread_calls: num(p, 'n_cache_write_unread'),
      cache_write_unread_tokens: num(p, 'sum_cache_write_unread'),
      followup_calls: num(p, 'n_followup'),
      growing_calls: num(p, 'n_growing'),
      history_excess_tokens: num(p, 'sum_history_excess'),
      latency_at_limit: ROUND_LIMITS_S.map((limit_s) => ({ limit_s, calls: num(p, `n_at_limit_${limit_s}`) })),
    };
  });
}
