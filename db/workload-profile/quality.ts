// data_quality, except the unknown models (from the models section): every call_facts row in scope is a record;
// derive.ts §validity splits off the invalid ones (in a row only these reasons can occur: a token field
// above MAX_TOKENS_PER_FIELD, cached > input, a negative cost — checked in the reference's order), and the
// remaining counts are over the valid calls, as reference.ts countDataQuality does them. All sums of the
// hourly rollup (call-rollup.ts), read through windowRollup.
import type { ClickHouseClient } from '../clickhouse';
import type { DataQuality } from '../../engine/profile/types';
import { CALL_ROLLUP } from './call-rollup';
import { sumColumns, total, windowRollup } from './rollup';
import { InvalidReason, num, queryRows, type ProfileParams } from './sql';

const VALID_ROW = `invalid_reason = ${InvalidReason.None}`;
const callsOf = (cond: string): string => total(CALL_ROLLUP, 'n_calls', cond);

export const QUALITY_QUERY = windowRollup(
  CALL_ROLLUP,
  `${total(CALL_ROLLUP, 'n_calls')} AS n_records,
  ${callsOf(`invalid_reason = ${InvalidReason.Absurd}`)} AS n_absurd,
  ${callsOf(`invalid_reason = ${InvalidReason.CachedExceeds}`)} AS n_cached_exceeds,
  ${callsOf(`invalid_reason = ${InvalidReason.BadCost}`)} AS n_bad_cost,
  ${callsOf(`${VALID_ROW} AND feature = ''`)} AS n_missing_feature,
  ${callsOf(VALID_ROW)} - ${total(CALL_ROLLUP, 'n_user', VALID_ROW)} AS n_missing_user,
  ${sumColumns(
    CALL_ROLLUP,
    [
      'n_missing_cost',
      'n_zero_token',
      'n_missing_latency',
      'n_missing_ttft_streamed',
      'n_missing_prompt_hash',
      'n_missing_prefix_hashes',
      'n_missing_stream',
      'n_output_exceeds_max_tokens',
      'n_reasoning_exceeds_output',
    ],
    VALID_ROW,
  )}`,
);

/** Everything but unknown_model_calls / unknown_models (left 0 / empty). */
export async function loadDataQuality(ch: ClickHouseClient, params: ProfileParams): Promise<DataQuality> {
  const [r] = await queryRows(ch, QUALITY_QUERY, params);
  if (!r) throw new Error('workload profile: no data quality row');
  const absurd = num(r, 'n_absurd');
  const cachedExceeds = num(r, 'n_cached_exceeds');
  const badCost = num(r, 'n_bad_cost');
  return {
    records: num(r, 'n_records'),
    invalid_calls: absurd + cachedExceeds + badCost,
    missing_fields_calls: 0,
    negative_tokens_calls: 0,
    absurd_tokens_calls: absurd,
    cached_exceeds_input_calls: cachedExceeds,
    bad_cost_calls: badCost,
    bad_timestamp_calls: 0,
    out_of_window_calls: 0,
    unknown_model_calls: 0,
    unknown_models: [],
    missing_cost_calls: num(r, 'n_missing_cost'),
    zero_token_calls: num(r, 'n_zero_token'),
    missing_latency_calls: num(r, 'n_missing_latency'),
    missing_ttft_streamed_calls: num(r, 'n_missing_ttft_streamed'),
    missing_prompt_hash_calls: num(r, 'n_missing_prompt_hash'),
    missing_prefix_hashes_calls: num(r, 'n_missing_prefix_hashes'),
    missing_feature_calls: num(r, 'n_missing_feature'),
    missing_user_calls: num(r, 'n_missing_user'),
    missing_stream_calls: num(r, 'n_missing_stream'),
    output_exceeds_max_tokens_calls: num(r, 'n_output_exceeds_max_tokens'),
    reasoning_exceeds_output_calls: num(r, 'n_reasoning_exceeds_output'),
  };
}
