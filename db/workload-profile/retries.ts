// The retry rule (rules.ts RETRY) for two sections from one window pass: per segment (feature, provider,
// model) the retry sums of segments.ts, and per (UTC minute, provider, model) the fast retries after a 429
// and Σ retry_gap of the retries after a 429 that rate_limit_minutes (buckets.ts) adds to its minutes.
// GROUPING SETS: a segment row has fid ≥ 1, a minute row fid = 0 (the default of a key outside its set).
// Without a prompt hash only attempt > 1 makes a retry (the earlier call is looked for by prompt hash), and
// a retry after a 429 always has one: the other rows are not read.
import type { ClickHouseClient } from '../clickhouse';
import { MINUTE_MS } from '../../engine/profile/derive';
import { RETRY, derived } from './rules';
import { bucket, num, queryRows, type ProfileParams, type Row } from './sql';

const QUERY = `
SELECT fid, {features:Array(String)}[fid] AS segment_feature, {pairs_p:Array(String)}[pm] AS segment_provider, {pairs_m:Array(String)}[pm] AS segment_model,
  minute_ms, pm AS minute_pm,
  countIf(retry) AS n_retry, countIf(retry_after_429) AS n_retry_after_429,
  countIf(fast_retry_after_429) AS n_fast_retry_after_429, sumIf(retry_gap, retry) AS sum_retry_wait,
  sumIf(retry_gap, retry_after_429) AS sum_retry_wait_after_429, countIf(fallback) AS n_fallback
FROM (SELECT *, ${bucket(MINUTE_MS)} AS minute_ms FROM (${derived([RETRY], `prompt_hash != '' OR attempt > 1`)}))
GROUP BY GROUPING SETS ((fid, pm), (minute_ms, pm))
HAVING fid != 0 OR n_retry_after_429 > 0`;

export interface RetryAfter429 {
  fast_retry_after_429_calls: number;
  retry_wait_ms: number;
}

export interface Retries {
  /** Per segment: segment_feature / _provider / _model and the retry sums of SegmentProfile. */
  segments: Row[];
  /** Per minuteKey(minute, pm) with a retry after a 429. */
  minutes: Map<string, RetryAfter429>;
}

export const minuteKey = (minute: number, pm: number): string => `${minute}:${pm}`;

export async function loadRetries(ch: ClickHouseClient, params: ProfileParams): Promise<Retries> {
  const out: Retries = { segments: [], minutes: new Map() };
  for (const r of await queryRows(ch, QUERY, params)) {
    if (num(r, 'fid') !== 0) out.segments.push(r);
    else
      out.minutes.set(minuteKey(num(r, 'minute_ms'), num(r, 'minute_pm')), {
        fast_retry_after_429_calls: num(r, 'n_fast_retry_after_429'),
        retry_wait_ms: num(r, 'sum_retry_wait_after_429'),
      });
  }
  return out;
}
