// hours and rate_limit_minutes (derive.ts §buckets: floor(ts / unit) · unit, UTC).
//   hours               every (UTC hour, feature) with calls: calls, error calls, cost, input / output tokens.
//   rate_limit_minutes  (UTC minute, provider, model) buckets with at least one 429: calls, 429s, and from
//                       derive.ts §retry (retries.ts) the fast retries after a 429 and Σ retry_gap of retries
//                       after a 429.
// Rows come back unordered and are sorted here exactly as the reference orders them.
import type { ClickHouseClient } from '../clickhouse';
import { HOUR_MS, MINUTE_MS } from '../../engine/profile/derive';
import type { HourBucket, RateLimitMinute } from '../../engine/profile/types';
import { loadRetryMinutes, minuteKey } from './retries';
import { CALLS, bucket, cmp, num, queryColumnar, str, type ProfileParams } from './sql';

const HOURS = `
SELECT ${bucket(HOUR_MS)} AS hour_ms, {features:Array(String)}[fid] AS hour_feature,
  count() AS n_calls, countIf(NOT ok) AS n_error, sum(cost) AS sum_cost,
  sum(toUInt64(input_tokens)) AS sum_input, sum(toUInt64(output_tokens)) AS sum_output
FROM (${CALLS})
GROUP BY hour_ms, fid`;

/**
 * (minute, pm) buckets with a 429: calls and 429s per minute as the run lengths of each model's sorted minute
 * buckets (with the 429 flags sorted along: a run's 429s = the difference of their running sum at its ends),
 * instead of a hash GROUP BY over (minute, model) for every row.
 */
const RATE_LIMIT_MINUTES = `
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

export async function loadHours(ch: ClickHouseClient, params: ProfileParams): Promise<HourBucket[]> {
  return (await queryColumnar(ch, HOURS, params, ['hour_ms', 'hour_feature', 'n_calls', 'n_error', 'sum_cost', 'sum_input', 'sum_output']))
    .map((r) => ({
      hour: num(r, 'hour_ms'),
      feature: str(r, 'hour_feature'),
      calls: num(r, 'n_calls'),
      error_calls: num(r, 'n_error'),
      cost_nanousd: num(r, 'sum_cost'),
      input_tokens: num(r, 'sum_input'),
      output_tokens: num(r, 'sum_output'),
    }))
    .sort((a, b) => a.hour - b.hour || cmp(a.feature, b.feature));
}

/** The retries after a 429 come from retries.ts: 0 in a minute without one. */
export async function loadRateLimitMinutes(ch: ClickHouseClient, params: ProfileParams): Promise<RateLimitMinute[]> {
  const [rows, minutes] = await Promise.all([
    queryColumnar(ch, RATE_LIMIT_MINUTES, params, ['minute_pm', 'minute_ms', 'n_calls', 'n_429']),
    loadRetryMinutes(ch, params),
  ]);
  return rows
    .map((r) => {
      const minute = num(r, 'minute_ms');
      const pm = num(r, 'minute_pm');
      const after429 = minutes.get(minuteKey(minute, pm));
      return {
        minute,
        provider: params.pairs_p[pm - 1]!,
        model: params.pairs_m[pm - 1]!,
        calls: num(r, 'n_calls'),
        status_429_calls: num(r, 'n_429'),
        fast_retry_after_429_calls: after429?.fast_retry_after_429_calls ?? 0,
        retry_wait_ms: after429?.retry_wait_ms ?? 0,
      };
    })
    .sort((a, b) => a.minute - b.minute || cmp(a.provider, b.provider) || cmp(a.model, b.model));
}
