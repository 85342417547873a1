// Problems with the telemetry itself: what is unusable, what is missing, and what it blinds.
import type { DataQuality } from '../../profile/types.js';
import { dataQualityFinding, formatPct, ratio, type Tool } from '../shared.js';

type Counter = Exclude<keyof DataQuality, 'records' | 'unknown_models'>;

/** What each counter means and what to do about it; invalid_calls is reported through its reasons. */
const ISSUES: { counter: Counter; title: string; impact: string; fix: string }[] = [
  { counter: 'missing_fields_calls', title: 'Records without model, provider or status', impact: 'excluded from the analysis', fix: 'Send provider, model and status on every record.' },
  { counter: 'negative_tokens_calls', title: 'Negative token counts', impact: 'excluded from the analysis', fix: 'Fix the exporter: token counts are never negative.' },
  { counter: 'absurd_tokens_calls', title: 'Absurd token counts', impact: 'excluded from the analysis', fix: 'Token fields must be integers below 10M per call.' },
  { counter: 'cached_exceeds_input_calls', title: 'Cached tokens above input tokens', impact: 'excluded from the analysis', fix: 'Report input_tokens including cached tokens.' },
  { counter: 'bad_cost_calls', title: 'Invalid costs', impact: 'excluded from the analysis', fix: 'Send cost as a non-negative number, or omit it.' },
  { counter: 'bad_timestamp_calls', title: 'Invalid timestamps', impact: 'excluded from the analysis', fix: 'Send ISO 8601 or epoch-millisecond timestamps.' },
  { counter: 'unknown_model_calls', title: 'Models not in the catalog', impact: 'counted at $0 and left out of every saving', fix: 'Use the provider’s model id, or ask for the model to be added to the catalog.' },
  { counter: 'missing_cost_calls', title: 'Calls without a cost', impact: 'counted at $0', fix: 'Re-ingest so costs are computed from the catalog.' },
  { counter: 'zero_token_calls', title: 'Successful calls with zero tokens', impact: 'token-based savings undercounted', fix: 'Check that the exporter records usage.' },
  { counter: 'missing_latency_calls', title: 'Calls without latency', impact: 'latency findings use fewer calls', fix: 'Record latency_ms.' },
  { counter: 'missing_ttft_streamed_calls', title: 'Streamed calls without time to first token', impact: 'TTFT percentiles incomplete', fix: 'Record ttft_ms on streamed calls.' },
  { counter: 'missing_prompt_hash_calls', title: 'Calls without prompt hash', impact: 'duplicates and retries go undetected', fix: 'Send a hash of the full prompt (prompt_hash).' },
  { counter: 'missing_prefix_hashes_calls', title: 'Calls without prefix hashes', impact: 'prompt-caching potential goes undetected', fix: 'Send prefix_hashes (one hash per cumulative 512-token block).' },
  { counter: 'missing_feature_calls', title: 'Calls without feature tag', impact: 'savings cannot be targeted per feature', fix: 'Tag each call with the feature or route it serves.' },
  { counter: 'missing_user_calls', title: 'Calls without end user', impact: 'quotas, sessions and batch detection are weaker', fix: 'Send a (pseudonymous) user id.' },
  { counter: 'missing_stream_calls', title: 'Calls without the stream flag', impact: 'streaming and batch detection are weaker', fix: 'Record whether the call streamed.' },
  { counter: 'output_exceeds_max_tokens_calls', title: 'Output above max_tokens', impact: 'max_tokens or output counts are wrong', fix: 'Check how max_tokens and output tokens are recorded.' },
  { counter: 'reasoning_exceeds_output_calls', title: 'Reasoning tokens above output tokens', impact: 'reasoning share overstated', fix: 'Report output_tokens including reasoning tokens.' },
  { counter: 'out_of_window_calls', title: 'Records outside the analysed window', impact: 'not analysed', fix: 'Widen the window to include them.' },
];

export const dataQuality: Tool = {
  id: 'data_quality',
  family: 'reporting',
  description: 'One finding per data-quality problem: invalid records, unknown models, missing fields.',
  run(profile) {
    const dq = profile.data_quality;
    return ISSUES.filter((i) => dq[i.counter] > 0).map((i) => {
      const n = dq[i.counter];
      return dataQualityFinding(
        {
          tool: 'data_quality',
          family: 'reporting',
          title: i.title,
          summary: `${n} of ${dq.records} records (${formatPct(ratio(n, dq.records))}): ${i.impact}.`,
          where: { group: i.counter },
          calls_affected: n,
          confidence: 'high',
          risk: 'low',
          evidence: i.counter === 'unknown_model_calls' ? { [i.counter]: n, records: dq.records, unknown_models: dq.unknown_models } : { [i.counter]: n, records: dq.records },
          recommendation: i.fix,
        },
        profile,
      );
    });
  },
};
