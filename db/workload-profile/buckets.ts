// hours and rate_limit_minutes (derive.ts §buckets: floor(ts / unit) · unit, UTC).
//   hours               every (UTC hour, feature) with calls: calls, error calls, cost, input / output tokens.
//   rate_limit_minutes  (UTC minute, provider, model) buckets with at least one 429: calls, 429s, and from
//                       derive.ts §retry the fast retries after a 429 and Σ retry_gap of retries after a 429.
// Rows come back unordered and are sorted here exactly as the reference orders them.
import type { ClickHouseClient } from '../clickhouse';
import { HOUR_MS, MINUTE_MS } from '../../engine/profile/derive';
import type { HourBucket, RateLimitMinute } from '../../engine/profile/types';
import { RETRY, derived } from './rules';
import { CALLS, bucket, cmp, num, queryRows, str, type ProfileParams } from './sql';

const HOURS = `
SELECT ${bucket(HOUR_MS)} AS hour_ms, feature,
  count() AS n_calls, countIf(NOT ok) AS n_error, sum(cost) AS sum_cost,
  sum(toUInt64(input_tokens)) AS sum_input, sum(toUInt64(output_tokens)) AS sum_output
FROM (${CALLS})
GROUP BY hour_ms, feature`;

const RATE_LIMIT_MINUTES = `
SELECT ${bucket(MINUTE_MS)} AS minute_ms, {pairs_p:Array(String)}[pm] AS minute_provider, {pairs_m:Array(String)}[pm] AS minute_model,
  count() AS n_calls, countIf(is_429) AS n_429,
  countIf(fast_retry_after_429) AS n_fast_retry_after_429, sumIf(retry_gap, retry_after_429) AS sum_retry_wait
FROM (${derived([RETRY])})
GROUP BY minute_ms, pm
HAVING n_429 > 0`;

export async function loadHours(ch: ClickHouseClient, params: ProfileParams): Promise<HourBucket[]> {
  return (await queryRows(ch, HOURS, params))
    .map((r) => ({
      hour: num(r, 'hour_ms'),
      feature: str(r, 'feature'),
      calls: num(r, 'n_calls'),
      error_calls: num(r, 'n_error'),
      cost_nanousd: num(r, 'sum_cost'),
      input_tokens: num(r, 'sum_input'),
      output_tokens: num(r, 'sum_output'),
    }))
    .sort((a, b) => a.hour - b.hour || cmp(a.feature, b.feature));
}

export async function loadRateLimitMinutes(ch: ClickHouseClient, params: ProfileParams): Promise<RateLimitMinute[]> {
  return (await queryRows(ch, RATE_LIMIT_MINUTES, params))
    .map((r) => ({
      minute: num(r, 'minute_ms'),
      provider: str(r, 'minute_provider'),
      model: str(r, 'minute_model'),
      calls: num(r, 'n_calls'),
      status_429_calls: num(r, 'n_429'),
      fast_retry_after_429_calls: num(r, 'n_fast_retry_after_429'),
      retry_wait_ms: num(r, 'sum_retry_wait'),
    }))
    .sort((a, b) => a.minute - b.minute || cmp(a.provider, b.provider) || cmp(a.model, b.model));
}
