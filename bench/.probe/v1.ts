import { CALLS, dist, COUNTS, bucket } from '../../db/workload-profile/sql';
import { derived, SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY } from '../../db/workload-profile/rules';
export const QUERIES = {
  calls_count: `SELECT count() FROM (${CALLS})`,
  calls_group: `SELECT fid, pm, count() FROM (${CALLS}) GROUP BY fid, pm`,
  counts: `SELECT fid, pm, ${COUNTS} FROM (${CALLS}) GROUP BY fid, pm`,
  one_dist: `SELECT fid, pm, ${dist('d_latency', `groupArrayIf(assumeNotNull(latency_ms), ok AND latency_ms IS NOT NULL)`)} FROM (${CALLS}) GROUP BY fid, pm`,
  one_dist_int: `SELECT fid, pm, ${dist('d_input', `groupArrayIf(input_tokens, ok)`)} FROM (${CALLS}) GROUP BY fid, pm`,
  rules: `SELECT fid, pm, countIf(exact_dup), countIf(near_dup), countIf(retry), countIf(followup), countIf(write_unread) FROM (${derived([SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY])}) GROUP BY fid, pm`,
  per_minute: `SELECT fid, pm, length(arraySort(groupArray(${bucket(60000)}))) FROM (${CALLS}) GROUP BY fid, pm`,
  rlm_groupby: `SELECT pm, ${bucket(60000)} AS m, count() n, countIf(is_429) k FROM (${CALLS}) GROUP BY pm, m HAVING k > 0`,
  rlm_key: `SELECT toUInt64(pm) * 1000000000 + toUInt64(intDiv(ts, 60000) - intDiv({from_ms:Int64}, 60000)) AS k, count() n, countIf(is_429) c FROM (${CALLS}) GROUP BY k HAVING c > 0`,
};
