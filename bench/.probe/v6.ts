import { CALLS } from '../../db/workload-profile/sql';
const inner = `SELECT pm, intDiv(ts, 60000) AS m, count() AS n, countIf(is_429) AS k FROM (${CALLS}) GROUP BY pm, m HAVING k > 0`;
export const QUERIES: Record<string, string> = {
  rows: inner,
  columns: `SELECT groupArray(pm), groupArray(m), groupArray(n), groupArray(k) FROM (${inner})`,
  count_only: `SELECT count() FROM (${inner})`,
};
