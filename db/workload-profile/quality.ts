// data_quality, except the unknown models (from the models section): every call_facts row in scope is a record;
// derive.ts §validity splits off the invalid ones (in a row only these reasons can occur: a token field
// above MAX_TOKENS_PER_FIELD, cached > input, a negative cost — checked in the reference's order), and the
// remaining counts are over the valid calls, as reference.ts countDataQuality does them.
import type { ClickHouseClient } from '../clickhouse';
import type { DataQuality } from '../../engine/profile/types';
import { IN_SCOPE, InvalidReason, KNOWN, PM, VALID, num, queryRows, type ProfileParams } from './sql';

const QUERY = `
SELECT count() AS n_records,
  countIf(absurd) AS n_absurd, countIf(cached_exceeds) AS n_cached_exceeds, countIf(bad_cost) AS n_bad_cost,
  countIf(valid AND known AND cost_nanousd IS NULL) AS n_missing_cost,
  countIf(valid AND status = 'ok' AND input_tokens = 0 AND output_tokens = 0) AS n_zero_token,
  countIf(valid AND latency_ms IS NULL) AS n_missing_latency,
  countIf(valid AND stream IS NOT NULL AND stream = 1 AND ttft_ms IS NULL) AS n_missing_ttft_streamed,
  countIf(valid AND prompt_hash = '') AS n_missing_prompt_hash,
  countIf(valid AND n_blocks = 0) AS n_missing_prefix_hashes,
  countIf(valid AND feature = '') AS n_missing_feature,
  countIf(valid AND user = '') AS n_missing_user,
  countIf(valid AND stream IS NULL) AS n_missing_stream,
  countIf(valid AND max_tokens IS NOT NULL AND coalesce(output_tokens > max_tokens, 0)) AS n_output_exceeds_max_tokens,
  countIf(valid AND reasoning_tokens > output_tokens) AS n_reasoning_exceeds_output
FROM (
  SELECT *, invalid_reason = ${InvalidReason.Absurd} AS absurd,
         invalid_reason = ${InvalidReason.CachedExceeds} AS cached_exceeds,
         invalid_reason = ${InvalidReason.BadCost} AS bad_cost,
         ${VALID} AS valid,
         ${PM} AS pm,
         (${KNOWN}) AS known
  FROM call_facts
  WHERE ${IN_SCOPE}
)`;

/** Everything but unknown_model_calls / unknown_models (left 0 / empty). */
export async function loadDataQuality(ch: ClickHouseClient, params: ProfileParams): Promise<DataQuality> {
  const [r] = await queryRows(ch, QUERY, params);
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
