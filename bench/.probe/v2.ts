import { CALLS, dist, distOfArray, COUNTS, bucket } from '../../db/workload-profile/sql';
import { derived, SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY } from '../../db/workload-profile/rules';
const RUN_LENGTHS = (sorted: string): string =>
  `arrayPopFront(arrayDifference(arrayPushBack(arrayFilter((i, d) -> i = 1 OR d != 0, arrayEnumerate(${sorted} AS _runs), arrayDifference(_runs)), length(_runs) + 1)))`;
export const QUERIES = {
  count: `SELECT count() FROM (${CALLS})`,
  counts: `SELECT fid, pm, ${COUNTS} FROM (${CALLS}) GROUP BY fid, pm`,
  dist_latency: `SELECT fid, pm, ${dist('d', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')} FROM (${CALLS}) GROUP BY fid, pm`,
  dist_input: `SELECT fid, pm, ${dist('d', 'input_tokens', 'ok')} FROM (${CALLS}) GROUP BY fid, pm`,
  five_dists: `SELECT fid, pm, ${dist('d1', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL')}, ${dist('d2', 'assumeNotNull(latency_ms)', 'ok AND latency_ms IS NOT NULL AND non_streamed')}, ${dist('d3', 'assumeNotNull(ttft_ms)', 'ok AND ttft_ms IS NOT NULL')}, ${dist('d4', 'input_tokens', 'ok')}, ${dist('d5', 'output_tokens', 'ok')} FROM (${CALLS}) GROUP BY fid, pm`,
  per_minute: `SELECT fid, pm, ${distOfArray('d', RUN_LENGTHS(`arraySort(groupArray(${bucket(60000)}))`))} FROM (${CALLS}) GROUP BY fid, pm`,
  per_minute_groupby: `SELECT fid, pm, ${dist('d', 'n')} FROM (SELECT fid, pm, intDiv(ts, 60000) AS m, count() AS n FROM (${CALLS}) GROUP BY fid, pm, m) GROUP BY fid, pm`,
  rules: `SELECT fid, pm, countIf(exact_dup), countIf(near_dup), countIf(retry), sumIf(retry_gap, retry), countIf(followup), countIf(write_unread) FROM (${derived([SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY])}) GROUP BY fid, pm`,
  excess: `SELECT fid, pm, ${dist('d_output', 'output_tokens', 'ok')}, arraySum(x -> greatest(toInt64(x) - toInt64(tupleElement(d_output, 2)[2]), 0), groupArrayIf(output_tokens, ok)) FROM (${CALLS}) GROUP BY fid, pm`,
  float_sum: `SELECT fid, pm, arrayFold((acc, x) -> acc + x.3, arraySort(groupArrayIf((ts, request_id, assumeNotNull(latency_ms)), exact_dup AND latency_ms IS NOT NULL)), toFloat64(0)) FROM (${derived([EXACT_DUP])}) GROUP BY fid, pm`,
};
