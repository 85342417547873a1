// The hourly rollup of call_facts (table call_rollups, rollup.ts): per (hour, source, feature, pair,
// invalid_reason) of every row — invalid ones too, for data quality and coverage — the sums the models,
// segments, hours and data-quality sections add up (derive.ts, accumulators.ts), the exact duplicates'
// (ts, request_id, latency) for the in-order latency sum, and what data coverage reads (db/coverage.ts).
import { DOUBLE_FIRE_MS, HISTORY_WINDOW_TOKENS, OFF_HOURS_END_UTC } from '../../engine/profile/derive';
import { ROUND_LIMITS_S } from '../../engine/profile/types';
import type { RollupSpec, Sum } from './rollup';
import { ALL_RULES, derived } from './rules';
import { IS_TIMEOUT, callsWhere } from './sql';

/** CallCounts & TokenSums (sql.ts toCounts), over the valid calls (derive.ts §cost, §status). */
const COUNT_SUMS: Sum[] = [
  ['n_calls', '1'],
  ['n_ok', 'ok'],
  ['n_error', 'NOT ok'],
  ['n_429', `status = '429'`],
  ['n_timeout', IS_TIMEOUT],
  ['sum_cost', 'cost', true],
  ['sum_input', 'input_tokens'],
  ['sum_output', 'output_tokens'],
  ['sum_cached', 'cached_input_tokens'],
  ['sum_cache_write', 'cache_write_tokens'],
  ['sum_reasoning', 'reasoning_tokens'],
];
export const COUNT_NAMES = COUNT_SUMS.map(([n]) => n);

/** The additive part of a segment (segments.ts). */
const SEGMENT_SUMS: Sum[] = [
  ['n_streamed', 'streamed'],
  ['n_non_streamed', 'non_streamed'],
  ['n_user', `user != ''`],
  ['n_off_hours', `toInt64(floor(ts / 3600000)) % 24 < ${OFF_HOURS_END_UTC}`],
  ['n_max_tokens_set', 'max_tokens IS NOT NULL'],
  ['n_hit_max_tokens', 'coalesce(output_tokens >= max_tokens, 0)'],
  ['n_billed_failed', 'NOT ok AND output_tokens > 0'],
  ['sum_billed_failed_cost', 'if(NOT ok AND output_tokens > 0, cost, 0)', true],
  ['sum_ok_output', 'if(ok, output_tokens, 0)'],
  ['n_prefix', 'n_blocks > 0'],
  ['n_cache_write', 'cache_write_tokens > 0'],
  ['n_followup', 'followup'],
  ['n_growing', 'growing'],
  ['sum_history_excess', `if(growing, greatest(toInt64(input_tokens) - ${HISTORY_WINDOW_TOKENS}, 0), 0)`],
  ['n_cache_write_unread', 'write_unread'],
  ['sum_cache_write_unread', 'if(write_unread, cache_write_tokens, 0)'],
  ['n_exact_dup', 'exact_dup'],
  ['sum_exact_dup_cost', 'if(exact_dup, cost, 0)', true],
  ['n_double_fire', `exact_dup AND dup_gap <= ${DOUBLE_FIRE_MS}`],
  ['n_near_dup', 'near_dup'],
  ['sum_near_dup_cost', 'if(near_dup, cost, 0)', true],
  ['n_retry', 'retry'],
  ['n_retry_after_429', 'retry_after_429'],
  ['n_fast_retry_after_429', 'fast_retry_after_429'],
  ['sum_retry_wait', 'if(retry, retry_gap, 0)'],
  ['n_fallback', 'fallback'],
  ...ROUND_LIMITS_S.map((l): Sum => [`n_at_limit_${l}`, `coalesce(latency_ms >= ${l * 1000} AND latency_ms < ${l * 1000 + 1000}, 0)`]),
];
export const SEGMENT_SUM_NAMES = SEGMENT_SUMS.map(([n]) => n);

/** Data quality (quality.ts) and data coverage (db/coverage.ts). */
const QUALITY_SUMS: Sum[] = [
  ['n_missing_cost', 'known AND cost_nanousd IS NULL', true],
  ['n_zero_token', `status = 'ok' AND input_tokens = 0 AND output_tokens = 0`],
  ['n_missing_latency', 'latency_ms IS NULL'],
  ['n_missing_ttft', 'ttft_ms IS NULL'],
  ['n_missing_ttft_streamed', 'stream IS NOT NULL AND stream = 1 AND ttft_ms IS NULL'],
  ['n_missing_prompt_hash', `prompt_hash = ''`],
  ['n_missing_prefix_hashes', 'n_blocks = 0'],
  ['n_missing_stream', 'stream IS NULL'],
  ['n_output_exceeds_max_tokens', 'max_tokens IS NOT NULL AND coalesce(output_tokens > max_tokens, 0)'],
  ['n_reasoning_exceeds_output', 'reasoning_tokens > output_tokens'],
  ['n_prefix_or_cache', 'n_blocks > 0 OR cached_input_tokens > 0'],
  ['sum_raw_cost', 'ifNull(cost_nanousd, 0)'],
];

export const CALL_ROLLUP: RollupSpec = {
  table: 'call_rollups',
  keys: ['hour', 'source', 'feature', 'pair', 'invalid_reason'],
  rows: (filter) => derived(ALL_RULES, '1', callsWhere(filter)),
  sums: [...COUNT_SUMS, ...SEGMENT_SUMS, ...QUALITY_SUMS],
  merged: [['dup_latencies', 'groupArrayIf((ts, request_id, assumeNotNull(latency_ms)), exact_dup AND latency_ms IS NOT NULL)']],
  stored: [
    ['min_ts', 'min(ts)'],
    ['max_ts', 'max(ts)'],
    ['last_ingested_ms', 'max(toUnixTimestamp64Milli(ingested_at))'],
    ['content_hash', 'sum(cityHash64(request_id, toUnixTimestamp64Milli(ingested_at), ifNull(cost_nanousd, -1)))'],
    ['ingested_at', 'max(ingested_at)'],
    ['retention_days', 'max(retention_days)'],
  ],
};
