// The per-call rules of engine/profile/derive.ts for a window [from, to), read from the nearest neighbours
// call_facts stores (db/call-facts/build.ts: found over every call of the org, each only within its rule's
// gap and only where the rule would use it). A rule looks at the nearest earlier (later) call only, so the
// nearest one inside the window is the stored one when that is ≥ from (< to), and there is none otherwise.
// `derived` adds the flags to CALLS, so a section aggregates plain columns (exact_dup, retry, …).
import { FAST_RETRY_MS, NEAR_DUP_MIN_TOLERANCE_TOKENS, NEAR_DUP_TOLERANCE_DIVISOR } from '../../engine/profile/derive';
import { CALLS } from './sql';

/** [name, expression] per flag; later flags may read earlier ones. */
export type Rule = [string, string][];

const EARLIER_IN_WINDOW = (column: string): string => `coalesce(${column} >= {from_ms:Int64}, 0)`;

/** derive.ts §exact dup: the latest earlier ok call of the same (provider, model, prompt_hash), ≤ 24 h before. dup_gap: ts − its ts. */
export const EXACT_DUP: Rule = [
  ['exact_dup', EARLIER_IN_WINDOW('dup_prev')],
  ['dup_gap', `if(exact_dup, ifNull(ts - dup_prev, 0), 0)`],
];

/** derive.ts §near dup: not an exact dup, and the latest earlier ok call with this near key is ≤ 24 h before and within the token tolerance. Needs EXACT_DUP. */
export const NEAR_DUP: Rule = [
  [
    'near_dup',
    `NOT exact_dup AND ${EARLIER_IN_WINDOW('near_prev')}
     AND abs(toInt64(input_tokens) - near_prev_in) <= greatest(${NEAR_DUP_MIN_TOLERANCE_TOKENS}, intDiv(near_prev_in, ${NEAR_DUP_TOLERANCE_DIVISOR}))`,
  ],
];

/**
 * derive.ts §retry: attempt > 1, or the immediately earlier call of the same (prompt_hash, user) is not ok
 * and ≤ 60 s before (retry_hash): retry_gap = the ts difference, after a 429, fast when < 1 s, fallback when
 * its (provider, model) differs.
 */
export const RETRY: Rule = [
  ['retry_hash', EARLIER_IN_WINDOW('retry_prev')],
  ['retry', `attempt > 1 OR retry_hash`],
  ['retry_gap', `if(retry_hash, ifNull(ts - retry_prev, 0), 0)`],
  ['retry_after_429', `retry_hash AND retry_prev_was_429`],
  ['fast_retry_after_429', `retry_after_429 AND retry_gap < ${FAST_RETRY_MS}`],
  ['fallback', `retry_hash AND retry_other_model`],
];

/** derive.ts §session: the immediately earlier call of the same (feature, provider, model, user) ≤ 30 min before; growing when its input was smaller. */
export const SESSION: Rule = [
  ['followup', EARLIER_IN_WINDOW('session_prev')],
  ['growing', `followup AND input_tokens > session_prev_in`],
];

/** derive.ts §unread: a cache write with no later read of its cache key within 300 s. */
export const UNREAD: Rule = [['write_unread', `cache_write_tokens > 0 AND NOT coalesce(next_read < {to_ms:Int64}, 0)`]];

/** Every rule, in an order in which each reads only earlier ones. */
export const ALL_RULES: readonly Rule[] = [SESSION, UNREAD, EXACT_DUP, NEAR_DUP, RETRY];

/** The rows of `calls` (CALLS: the valid calls in scope), optionally filtered, + the rules' flags, as one subquery. */
export function derived(rules: readonly Rule[], where = '1', calls = CALLS): string {
  return `
  SELECT *, ${rules.flatMap((r) => r.map(([name, expr]) => `(${expr}) AS ${name}`)).join(',\n         ')}
  FROM (${calls})
  WHERE ${where}`;
}
