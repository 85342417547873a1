// segments: one row per (feature, provider, model) of the valid calls — everything SegmentAcc
// (accumulators.ts) sums, with the per-call rules of derive.ts (rules.ts: exact dup, near dup, retry,
// session, unread), plus:
//   billed         status ≠ ok and output_tokens > 0
//   off-hours      UTC hour-of-day < 6 (floor(ts / 1 h) mod 24, as the reference computes it)
//   at limit       L·1000 ≤ latency_ms < L·1000 + 1000 for L in ROUND_LIMITS_S (any status)
//   per minute     calls per active minute of the segment: the run lengths of its sorted minute buckets
//   output excess  Σ max(0, output − p95) and Σ max(0, output − p99) over ok calls
// One pass, every rule's flags read from the call facts; the prefix-cache columns come from prefix.ts.
import type { ClickHouseClient } from '../clickhouse';
import { DOUBLE_FIRE_MS, HISTORY_WINDOW_TOKENS, MINUTE_MS, OFF_HOURS_END_UTC } from '../../engine/profile/derive';
import { ROUND_LIMITS_S, type SegmentProfile } from '../../engine/profile/types';
import { EXACT_DUP, NEAR_DUP, RETRY, SESSION, UNREAD, derived } from './rules';
import { COUNTS, FLOAT_SUM_IN_ORDER, SEGMENT_NAMES, bucket, dist, distOfArray, num, percentileOf, queryRows, str, toCounts, toDistribution, type ProfileParams } from './sql';

/** Σ max(0, v − p) over the ok outputs, p = the output distribution's percentile i (0 when there are none). */
const excessOver = (i: 2 | 3): string =>
  `arraySum(x -> greatest(toInt64(x) - toInt64(${percentileOf('d_output', i)}), 0), groupArrayIf(output_tokens, ok))`;

/**
 * The lengths of the runs of equal values of the sorted array `sorted` (the count of each distinct value),
 * from the indices where a run starts: [] when empty. Lambdas take only zipped arrays (a captured array
 * would be copied per element).
 */
const RUN_LENGTHS = (sorted: string): string =>
  `arrayPopFront(arrayDifference(arrayPushBack(arrayFilter((i, d) -> i = 1 OR d != 0, arrayEnumerate(${sorted} AS _runs), arrayDifference(_runs)), length(_runs) + 1)))`;

/** One pass over the valid calls. */
const PLAIN = `
SELECT ${SEGMENT_NAMES}, ${COUNTS},
  countIf(streamed) AS n_streamed, countIf(non_streamed) AS n_non_streamed, countIf(user != '') AS n_user,
  countIf(toInt64(floor(ts / 3600000)) % 24 < ${OFF_HOURS_END_UTC}) AS n_off_hours,
  countIf(max_tokens IS NOT NULL) AS n_max_tokens_set, countIf(coalesce(output_tokens >= max_tokens, 0)) AS n_hit_max_tokens,
  countIf(NOT ok AND output_tokens > 0) AS n_billed_failed, sumIf(cost, NOT ok AND output_tokens > 0) AS sum_billed_failed_cost,
  sumIf(toUInt64(output_tokens), ok) AS sum_ok_output,
  ${dist('d_latency', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')},
  ${dist('d_latency_non_streamed', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL AND non_streamed')},
  ${dist('d_ttft', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL')},
  ${dist('d_input', 'input_tokens', 'ok')},
  ${dist('d_output', 'output_tokens', 'ok')},
  ${excessOver(2)} AS sum_output_over_p95,
  ${excessOver(3)} AS sum_output_over_p99,
  ${distOfArray('d_per_minute', RUN_LENGTHS(`arraySort(groupArray(${bucket(MINUTE_MS)}))`))},
  countIf(n_blocks > 0) AS n_prefix,
  countIf(cache_write_tokens > 0) AS n_cache_write,
  countIf(followup) AS n_followup, countIf(growing) AS n_growing,
  sumIf(greatest(toInt64(input_tokens) - ${HISTORY_WINDOW_TOKENS}, 0), growing) AS sum_history_excess,
  countIf(write_unread) AS n_cache_write_unread, sumIf(toUInt64(cache_write_tokens), write_unread) AS sum_cache_write_unread,
  countIf(exact_dup) AS n_exact_dup, sumIf(cost, exact_dup) AS sum_exact_dup_cost,
  ${FLOAT_SUM_IN_ORDER('assumeNotNull(latency_ms)', 'exact_dup AND latency_ms IS NOT NULL')} AS sum_exact_dup_latency,
  countIf(exact_dup AND dup_gap <= ${DOUBLE_FIRE_MS}) AS n_double_fire, countIf(near_dup) AS n_near_dup, sumIf(cost, near_dup) AS sum_near_dup_cost,
  countIf(retry) AS n_retry, countIf(retry_after_429) AS n_retry_after_429, countIf(fast_retry_after_429) AS n_fast_retry_after_429,
  sumIf(retry_gap, retry) AS sum_retry_wait, countIf(fallback) AS n_fallback,
  [${ROUND_LIMITS_S.map((l) => `countIf(coalesce(latency_ms >= ${l * 1000} AND latency_ms < ${l * 1000 + 1000}, 0))`).join(', ')}] AS n_at_limit
FROM (${derived([SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY])})
GROUP BY fid, pm`;

export type SegmentRow = Omit<SegmentProfile, 'prefix_cache'>;

export async function loadSegments(
  ch: ClickHouseClient,
  params: ProfileParams,
  isKnown: (provider: string, model: string) => boolean,
): Promise<SegmentRow[]> {
  return (await queryRows(ch, PLAIN, params)).map((p) => {
    const provider = str(p, 'segment_provider');
    const model = str(p, 'segment_model');
    const feature = str(p, 'segment_feature');
    const atLimit = p['n_at_limit'];
    if (!Array.isArray(atLimit)) throw new Error('workload profile: n_at_limit is not an array');
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
      latency_ms: toDistribution(p, 'd_latency'),
      latency_non_streamed_ms: toDistribution(p, 'd_latency_non_streamed'),
      ttft_ms: toDistribution(p, 'd_ttft'),
      input_tokens_dist: toDistribution(p, 'd_input'),
      output_tokens_dist: toDistribution(p, 'd_output'),
      ok_output_tokens: num(p, 'sum_ok_output'),
      output_over_p95_tokens: num(p, 'sum_output_over_p95'),
      output_over_p99_tokens: num(p, 'sum_output_over_p99'),
      calls_per_minute: toDistribution(p, 'd_per_minute'),
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
      latency_at_limit: ROUND_LIMITS_S.map((limit_s, i) => ({ limit_s, calls: Number(atLimit[i]) })),
    };
  });
}
