import { CALLS, bucket } from '../../db/workload-profile/sql';
export const QUERIES: Record<string, string> = {
  two_phase: `SELECT pm, m, count() AS n, countIf(is_429) AS k FROM (SELECT pm, intDiv(ts, 60000) AS m, is_429 FROM (${CALLS})) WHERE (pm, m) IN (SELECT pm, intDiv(ts, 60000) FROM (${CALLS}) WHERE is_429) GROUP BY pm, m`,
  two_phase_key: `SELECT k1, count() AS n, countIf(is_429) AS k FROM (SELECT toUInt64(pm) * 1000000000000 + toUInt64(intDiv(ts, 60000) + 200000000000) AS k1, is_429 FROM (${CALLS})) WHERE k1 IN (SELECT toUInt64(pm) * 1000000000000 + toUInt64(intDiv(ts, 60000) + 200000000000) FROM (${CALLS}) WHERE is_429) GROUP BY k1`,
  plain_groupby_having: `SELECT pm, intDiv(ts, 60000) AS m, count() AS n, countIf(is_429) AS k FROM (${CALLS}) GROUP BY pm, m HAVING k > 0`,
};
