// data_quality, except the unknown models (from the models section): every call_facts row in scope is a record;
// derive.ts §validity splits off the invalid ones (in a row only these reasons can occur: a token field
// above MAX_TOKENS_PER_FIELD, cached > input, a negative cost — checked in the reference's order), and the
// remaining counts are over the valid calls, as reference.ts countDataQuality does them. All added up from the
// call sums (call-sums.ts).
import type { DataQuality } from '../../engine/profile/types';
import { QUALITY_SUM_NAMES, type CallSums } from './call-sums';
import { InvalidReason, num } from './sql';

/** Everything but unknown_model_calls / unknown_models (left 0 / empty), added up from the call sums. */
export function dataQuality(sums: readonly CallSums[]): DataQuality {
  /** The sum `name` over the rows `keep` accepts. */
  const add = (name: string, keep: (s: CallSums) => boolean) => sums.reduce((n, s) => n + (keep(s) ? num(s.row, name) : 0), 0);
  const calls = (keep: (s: CallSums) => boolean) => add('n_calls', keep);
  const valid = (name: string) => add(name, (s) => s.valid);
  const r = Object.fromEntries(QUALITY_SUM_NAMES.map((name) => [name, valid(name)])) as Record<(typeof QUALITY_SUM_NAMES)[number], number>;
  const absurd = calls((s) => s.invalid_reason === InvalidReason.Absurd);
  const cachedExceeds = calls((s) => s.invalid_reason === InvalidReason.CachedExceeds);
  const badCost = calls((s) => s.invalid_reason === InvalidReason.BadCost);
  return {
    records: calls(() => true),
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
    missing_cost_calls: r.n_missing_cost,
    zero_token_calls: r.n_zero_token,
    missing_latency_calls: r.n_missing_latency,
    missing_ttft_streamed_calls: r.n_missing_ttft_streamed,
    missing_prompt_hash_calls: r.n_missing_prompt_hash,
    missing_prefix_hashes_calls: r.n_missing_prefix_hashes,
    missing_feature_calls: calls((s) => s.valid && s.feature === ''),
    missing_user_calls: valid('n_calls') - valid('n_user'),
    missing_stream_calls: r.n_missing_stream,
    output_exceeds_max_tokens_calls: r.n_output_exceeds_max_tokens,
    reasoning_exceeds_output_calls: r.n_reasoning_exceeds_output,
  };
}
