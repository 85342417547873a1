// The per-call rules of engine/profile/derive.ts as ClickHouse window functions over the profile's total
// order (ORDER BY ts, request_id; request ids are unique within an org after FINAL). Each rule is a set
// of window columns plus the flag expressions read from them; `derived` stacks the windows over CALLS and
// the flags over the windows, so a section aggregates plain columns (exact_dup, retry, …).
// "No earlier call" is a NULL lag (lagInFrame of a Nullable) and every "≤ gap" test is coalesce(…, 0).
// Window keys and lagged values avoid LowCardinality columns (slow to sort and to lag): the model is the
// exact numeric id `pm`, the feature its numeric id `fid`, the status the flags ok / is_429.
import {
  CACHE_READ_WINDOW_MS,
  EXACT_DUP_WINDOW_MS,
  FAST_RETRY_MS,
  NEAR_DUP_MIN_TOLERANCE_TOKENS,
  NEAR_DUP_TOLERANCE_DIVISOR,
  RETRY_WINDOW_MS,
  SESSION_GAP_MS,
} from '../../engine/profile/derive';
import { CALLS } from './sql';

const PREVIOUS_ROW = 'ORDER BY ts, request_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW';

export interface Rule {
  /** `WINDOW name AS (…)` definitions the columns use. */
  named: string[];
  /** `window function OVER … AS name` columns. */
  windows: string[];
  /** [name, expression] per flag; later flags may read earlier ones. */
  flags: [string, string][];
}

/**
 * derive.ts §exact dup: prompt_hash set, ok, and the latest earlier ok call of the same (provider, model,
 * prompt_hash) ≤ 24 h before. Partitioning by `ok` too makes the lag of an ok row the previous ok row.
 * dup_gap: ts − that call's ts (double fire when ≤ 2 s).
 */
export const EXACT_DUP: Rule = {
  named: [`w_dup AS (PARTITION BY pm, prompt_hash, ok ${PREVIOUS_ROW})`],
  windows: [`lagInFrame(toNullable(ts)) OVER w_dup AS dup_prev_ts`],
  flags: [
    ['exact_dup', `prompt_hash != '' AND ok AND coalesce(ts - dup_prev_ts <= ${EXACT_DUP_WINDOW_MS}, 0)`],
    ['dup_gap', `ifNull(ts - dup_prev_ts, 0)`],
  ],
};

/**
 * derive.ts §near dup: ok, not an exact dup, n = |prefix_hashes| ≥ 2, and the latest earlier ok call of the
 * same (provider, model) with n' ≥ 2 whose prefix_hashes[n'−2] equals this call's prefix_hashes[n−2]
 * (1-based: [n−1]) is ≤ 24 h before and its input differs by at most max(16, input_prev div 50) tokens.
 * Partitioning by (n ≥ 2) keeps calls with fewer blocks (whose key is '') out. Needs EXACT_DUP.
 */
export const NEAR_DUP: Rule = {
  named: [`w_near AS (PARTITION BY pm, n_blocks >= 2, near_key, ok ${PREVIOUS_ROW})`],
  windows: [`lagInFrame(toNullable(ts)) OVER w_near AS near_prev_ts`, `lagInFrame(toInt64(input_tokens)) OVER w_near AS near_prev_input`],
  flags: [
    [
      'near_dup',
      `ok AND NOT exact_dup AND n_blocks >= 2 AND coalesce(ts - near_prev_ts <= ${EXACT_DUP_WINDOW_MS}, 0)
       AND abs(toInt64(input_tokens) - near_prev_input) <= greatest(${NEAR_DUP_MIN_TOLERANCE_TOKENS}, intDiv(near_prev_input, ${NEAR_DUP_TOLERANCE_DIVISOR}))`,
    ],
  ],
};

/**
 * derive.ts §retry: attempt > 1, or prompt_hash set and the immediately earlier call of the same
 * (prompt_hash, user) is not ok and ≤ 60 s before (retry_hash). For the latter: retry_gap = the ts
 * difference, after a 429, fast when < 1 s, fallback when (provider, model) differs.
 */
export const RETRY: Rule = {
  named: [`w_retry AS (PARTITION BY prompt_hash, user ${PREVIOUS_ROW})`],
  windows: [
    `lagInFrame(toNullable(ts)) OVER w_retry AS retry_prev_ts`,
    `lagInFrame(ok) OVER w_retry AS retry_prev_ok`,
    `lagInFrame(is_429) OVER w_retry AS retry_prev_429`,
    `lagInFrame(pm) OVER w_retry AS retry_prev_pm`,
  ],
  flags: [
    ['retry_hash', `prompt_hash != '' AND retry_prev_ts IS NOT NULL AND NOT retry_prev_ok AND coalesce(ts - retry_prev_ts <= ${RETRY_WINDOW_MS}, 0)`],
    ['retry', `attempt > 1 OR retry_hash`],
    ['retry_gap', `if(retry_hash, ifNull(ts - retry_prev_ts, 0), 0)`],
    ['retry_after_429', `retry_hash AND retry_prev_429`],
    ['fast_retry_after_429', `retry_after_429 AND retry_gap < ${FAST_RETRY_MS}`],
    ['fallback', `retry_hash AND retry_prev_pm != pm`],
  ],
};

/**
 * derive.ts §session: user set and the immediately earlier call of the same (feature, provider, model,
 * user) ≤ 30 min before → follow-up; growing when its input is larger than that call's.
 */
export const SESSION: Rule = {
  named: [`w_session AS (PARTITION BY user, pm, fid ${PREVIOUS_ROW})`],
  windows: [`lagInFrame(toNullable(ts)) OVER w_session AS session_prev_ts`, `lagInFrame(input_tokens) OVER w_session AS session_prev_input`],
  flags: [
    ['followup', `user != '' AND coalesce(ts - session_prev_ts <= ${SESSION_GAP_MS}, 0)`],
    ['growing', `followup AND input_tokens > session_prev_input`],
  ],
};

/**
 * derive.ts §unread: cache_write_tokens > 0 and no later call of the same (provider, model, cache key)
 * with cached_input_tokens > 0 within 300 s (cache_key: see CALLS). The earliest later read is the min ts
 * of the reads that precede the row in descending order.
 */
export const UNREAD: Rule = {
  named: [
    `w_unread AS (PARTITION BY pm, cache_key ORDER BY ts DESC, request_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`,
  ],
  windows: [`min(if(cached_input_tokens > 0, ts, NULL)) OVER w_unread AS next_read_ts`],
  flags: [['write_unread', `cache_write_tokens > 0 AND NOT coalesce(next_read_ts - ts <= ${CACHE_READ_WINDOW_MS}, 0)`]],
};

/** CALLS (optionally filtered) + the rules' window columns + their flags, as one subquery. */
export function derived(rules: readonly Rule[], where = '1'): string {
  return `
  SELECT *, ${rules.flatMap((r) => r.flags.map(([name, expr]) => `(${expr}) AS ${name}`)).join(',\n         ')}
  FROM (
    SELECT *, ${rules.flatMap((r) => r.windows).join(',\n           ')}
    FROM (${CALLS})
    WHERE ${where}
    WINDOW ${rules.flatMap((r) => r.named).join(',\n           ')}
  )`;
}
