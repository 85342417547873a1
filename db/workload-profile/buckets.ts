// hours and rate_limit_minutes (derive.ts §buckets: floor(ts / unit) · unit, UTC).
//   hours               every (UTC hour, feature) with calls: calls, error calls, cost, input / output tokens.
//   rate_limit_minutes  (UTC minute, provider, model) buckets with a 429 and a fast retry after one: calls, 429s, and from
//                       derive.ts §retry (rules.ts RETRY) the fast retries after a 429 and Σ retry_gap of
//                       retries after a 429.
// Both read hourly rollups (rollup.ts) through windowRollup.
// Rows come back unordered and are sorted here exactly as the reference orders them.
import type { ClickHouseClient } from '../clickhouse';
import { MINUTE_MS } from '../../engine/profile/derive';
import type { HourBucket, RateLimitMinute } from '../../engine/profile/types';
import { CALL_ROLLUP } from './call-rollup';
import { HOUR_START, mapWindow, sumColumns, windowRollup, windowSql, type RollupSpec } from './rollup';
import { RETRY, derived } from './rules';
import { InvalidReason, VALID, bucket, callsWhere, cmp, num, queryColumnar, str, type ProfileParams } from './sql';

/** From the hourly rollup (call-rollup.ts): its hour is the bucket. */
const HOURS = windowRollup(
  CALL_ROLLUP,
  `${HOUR_START} AS hour_ms, {features:Array(String)}[fid] AS hour_feature, ${sumColumns(CALL_ROLLUP, ['n_calls', 'n_error', 'sum_cost', 'sum_input', 'sum_output'])}`,
  `invalid_reason = ${InvalidReason.None}`,
  'hour, fid',
);

/**
 * The hourly rollup of the (UTC minute, provider, model) buckets with a 429 (rollup.ts): calls, 429s, and
 * the retries after a 429 (rules.ts RETRY) in the bucket — the fast ones and Σ retry_gap. A bucket lies in
 * one hour, so the table keeps only the buckets the profile lists, with a 429 and a fast retry after one.
 */
export const MINUTE_ROLLUP: RollupSpec = {
  table: 'call_minute_rollups',
  keys: ['hour', 'source', 'pair', 'minute_ms'],
  rows: (filter) => `SELECT *, ${bucket(MINUTE_MS)} AS minute_ms FROM (${derived([RETRY], '1', callsWhere(`${filter} AND ${VALID}`))})`,
  sums: [
    ['n_calls', '1'],
    ['n_429', 'is_429'],
    ['n_fast_retry_after_429', 'fast_retry_after_429'],
    ['sum_retry_wait_after_429', 'if(retry_after_429, retry_gap, 0)'],
  ],
  merged: [],
  stored: [
    ['ingested_at', 'max(ingested_at)'],
    ['retention_days', 'max(retention_days)'],
  ],
  having: 'n_429 > 0 AND n_fast_retry_after_429 > 0',
};

const RATE_LIMIT_MINUTES = mapWindow(
  windowRollup(MINUTE_ROLLUP, `pm AS minute_pm, minute_ms, ${sumColumns(MINUTE_ROLLUP, MINUTE_ROLLUP.sums.map(([n]) => n))}`, '1', 'pm, minute_ms'),
  (sql) => `SELECT * FROM (${sql}) WHERE n_429 > 0 AND n_fast_retry_after_429 > 0`,
);

export async function loadHours(ch: ClickHouseClient, params: ProfileParams): Promise<HourBucket[]> {
  return (await queryColumnar(ch, windowSql(HOURS, params), params, ['hour_ms', 'hour_feature', 'n_calls', 'n_error', 'sum_cost', 'sum_input', 'sum_output']))
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

export async function loadRateLimitMinutes(ch: ClickHouseClient, params: ProfileParams): Promise<RateLimitMinute[]> {
  const rows = await queryColumnar(ch, windowSql(RATE_LIMIT_MINUTES, params), params, ['minute_pm', 'minute_ms', 'n_calls', 'n_429', 'n_fast_retry_after_429', 'sum_retry_wait_after_429']);
  return rows
    .map((r) => {
      const pm = num(r, 'minute_pm');
      return {
        minute: num(r, 'minute_ms'),
        provider: params.pairs_p[pm - 1]!,
        model: params.pairs_m[pm - 1]!,
        calls: num(r, 'n_calls'),
        status_429_calls: num(r, 'n_429'),
        fast_retry_after_429_calls: num(r, 'n_fast_retry_after_429'),
        retry_wait_ms: num(r, 'sum_retry_wait_after_429'),
      };
    })
    .sort((a, b) => a.minute - b.minute || cmp(a.provider, b.provider) || cmp(a.model, b.model));
}
