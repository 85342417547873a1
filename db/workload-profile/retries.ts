// The retries after a 429 (rules.ts RETRY) per (UTC minute, provider, model): the fast ones and Σ retry_gap,
// which rate_limit_minutes (buckets.ts) adds to its minutes. Only those rows are grouped.
import type { ClickHouseClient } from '../clickhouse';
import { MINUTE_MS } from '../../engine/profile/derive';
import { RETRY, derived } from './rules';
import { bucket, num, queryColumnar, type ProfileParams } from './sql';

const QUERY = `
SELECT ${bucket(MINUTE_MS)} AS minute_ms, pm AS minute_pm,
  countIf(fast_retry_after_429) AS n_fast_retry_after_429, sum(retry_gap) AS sum_retry_wait_after_429
FROM (${derived([RETRY], 'retry_after_429')})
GROUP BY minute_ms, pm`;

export interface RetryAfter429 {
  fast_retry_after_429_calls: number;
  retry_wait_ms: number;
}

export const minuteKey = (minute: number, pm: number): string => `${minute}:${pm}`;

/** Per minuteKey(minute, pm) with a retry after a 429. */
export async function loadRetryMinutes(ch: ClickHouseClient, params: ProfileParams): Promise<Map<string, RetryAfter429>> {
  const out = new Map<string, RetryAfter429>();
  for (const r of await queryColumnar(ch, QUERY, params, ['minute_ms', 'minute_pm', 'n_fast_retry_after_429', 'sum_retry_wait_after_429']))
    out.set(minuteKey(num(r, 'minute_ms'), num(r, 'minute_pm')), {
      fast_retry_after_429_calls: num(r, 'n_fast_retry_after_429'),
      retry_wait_ms: num(r, 'sum_retry_wait_after_429'),
    });
  return out;
}
