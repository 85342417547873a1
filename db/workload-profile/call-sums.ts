// The additive part of the models, segments and data-quality sections: the call rollup's sums (call-rollup.ts)
// per (feature, pair, validity) of the window, in one query through windowRollup (one plan and one pass over
// the edge hours' facts for three sections). Segments are its valid rows, a model adds up the valid rows of
// its pair, data quality adds up every row.
//
// The exact duplicates' latencies are added left to right in (ts, request_id) order as the reference does:
// floating-point addition is not associative, so sum() (any order) could differ in the last bits for
// latencies that are not whole (or dyadic) milliseconds.
import type { ClickHouseClient } from '../clickhouse';
import { CALL_ROLLUP, COUNT_NAMES, SEGMENT_SUM_NAMES } from './call-rollup';
import { sumColumns, windowRollup, windowSql } from './rollup';
import { InvalidReason, SEGMENT_NAMES, num, queryRows, str, type ProfileParams, type Row } from './sql';

/** The sums data quality reads (quality.ts), besides n_calls and n_user. */
export const QUALITY_SUM_NAMES = [
  'n_missing_cost',
  'n_zero_token',
  'n_missing_latency',
  'n_missing_ttft_streamed',
  'n_missing_prompt_hash',
  'n_missing_prefix_hashes',
  'n_missing_stream',
  'n_output_exceeds_max_tokens',
  'n_reasoning_exceeds_output',
] as const;

const QUERY = windowRollup(
  CALL_ROLLUP,
  `fid, pm, invalid_reason, ${SEGMENT_NAMES}, ${sumColumns(CALL_ROLLUP, [...COUNT_NAMES, ...SEGMENT_SUM_NAMES, ...QUALITY_SUM_NAMES])},
  arrayFold((acc, x) -> acc + x.3, arraySort(arrayFlatten(groupArray(dup_latencies))), toFloat64(0)) AS sum_exact_dup_latency`,
  '1',
  'fid, pm, invalid_reason',
);

/** The sums of one (feature, pair, invalid_reason) of the window. */
export interface CallSums {
  feature: string;
  provider: string;
  model: string;
  /** The pair's id (sql.ts PM). */
  pm: number;
  valid: boolean;
  invalid_reason: number;
  /** Each sum by name (call-rollup.ts), and sum_exact_dup_latency. */
  row: Row;
}

export async function loadCallSums(ch: ClickHouseClient, params: ProfileParams): Promise<CallSums[]> {
  return (await queryRows(ch, windowSql(QUERY, params), params)).map((row) => {
    const invalid_reason = num(row, 'invalid_reason');
    return {
      feature: str(row, 'segment_feature'),
      provider: str(row, 'segment_provider'),
      model: str(row, 'segment_model'),
      pm: num(row, 'pm'),
      valid: invalid_reason === InvalidReason.None,
      invalid_reason,
      row,
    };
  });
}
