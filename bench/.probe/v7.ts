import { CALLS, bucket } from '../../db/workload-profile/sql';
const MINUTE_MS = 60000;
const RUNS = `
SELECT pm AS minute_pm, minute_ms, n_calls, n_429
FROM (
  SELECT pm, arraySort(groupArray(${bucket(MINUTE_MS)}) AS minutes) AS sorted, arraySort((f, m) -> m, groupArray(toUInt64(is_429)), minutes) AS flags,
         arrayMap((i, d) -> i = length(sorted) OR d != 0, arrayEnumerate(sorted), arrayPopFront(arrayPushBack(arrayDifference(sorted), 1))) AS run_end,
         arrayFilter((m, e) -> e, sorted, run_end) AS run_minute,
         arrayPopFront(arrayDifference(arrayPushFront(arrayFilter((i, e) -> e, arrayEnumerate(sorted), run_end), 0))) AS run_calls,
         arrayPopFront(arrayDifference(arrayPushFront(arrayFilter((c, e) -> e, arrayCumSum(flags), run_end), 0))) AS run_429
  FROM (${CALLS})
  GROUP BY pm
)
ARRAY JOIN run_minute AS minute_ms, run_calls AS n_calls, run_429 AS n_429
WHERE n_429 > 0`;
const GB = `SELECT pm AS minute_pm, ${bucket(MINUTE_MS)} AS minute_ms, count() AS n_calls, countIf(is_429) AS n_429 FROM (${CALLS}) GROUP BY pm, minute_ms HAVING n_429 > 0`;
const cols = (q: string) => `SELECT groupArray(minute_pm), groupArray(minute_ms), groupArray(n_calls), groupArray(n_429) FROM (${q})`;
export const QUERIES: Record<string, string> = { runs: cols(RUNS), groupby: cols(GB) };
