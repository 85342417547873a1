// The SQL that writes call_facts and call_prefix_facts (migrations/clickhouse/0005) for the calls of one org
// with lo ≤ ts < hi: the rules of engine/profile/derive.ts as window functions over the total order
// (ts, request_id) of llm_calls FINAL, once over every call and once per source (`_src`). The rows read
// reach every rule's gap beyond [lo, hi), so a nearest neighbour within its gap is among them (one beyond
// it is not stored anyway): every call within SHORT_REACH_MS of the range (sessions, retries, cache reads
// and prefix blocks), and before that, up to LONG_REACH_MS, only the ok calls that can be a duplicate's
// predecessor of a call in the range (its prompt hash or near key). A row read only for that never comes
// between a call and a nearest neighbour within a shorter gap, so it changes no other rule's result.
// Invalid calls form their own partitions (`valid` leads every partition key) and get no neighbours. Model and
// feature are the exact numeric ids pm / fid of the pairs and features parameters.
import { CACHE_READ_WINDOW_MS, EXACT_DUP_WINDOW_MS, HOUR_MS, RETRY_WINDOW_MS, SESSION_GAP_MS } from '../../engine/profile/derive';
import { FID, INVALID_REASON, PAIR_KEY, PM, VALID } from '../workload-profile/sql';
import { MAX_TTL_MS } from './reach';

/** The UTC hour of a call: floor(ts / 1 h) of the epoch-ms column `ts`, the unit call facts are rebuilt in. */
export const hourOf = (ts: string): string => `toInt32(floor(${ts} / ${HOUR_MS}))`;

const TS = 'toUnixTimestamp64Milli(timestamp)';
const NEAR_KEY = 'prefix_hashes[length(prefix_hashes) - 1]';

/** Keys of the ok calls in [lo, hi) (every stored version: a superset). */
const keysInRange = (key: string, cond: string): string => `
      SELECT ${key} FROM llm_calls
      WHERE org_id = {org:String} AND timestamp >= {lo_dt:DateTime64(3, 'UTC')} AND timestamp <= {hi_dt:DateTime64(3, 'UTC')}
        AND ${TS} >= {lo:Int64} AND ${TS} < {hi:Int64} AND status = 'ok' AND ${cond}`;

const BASE = `
  SELECT toUnixTimestamp64Milli(timestamp) AS ts, request_id, source, ingested_at, retention_days, user, feature, provider, model,
         ${PAIR_KEY} AS pair, status,
         input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, latency_ms, ttft_ms, stream,
         max_tokens, attempt, prompt_hash, cost_nanousd, prefix_hashes,
         length(prefix_hashes) AS n_blocks,
         prefix_hashes[toInt64(n_blocks) - 1] AS near_key,
         if(n_blocks = 0, concat(char(0), 'feature:', toString(feature)), prefix_hashes[1]) AS cache_key,
         status = 'ok' AS ok, status = '429' AS is_429, ${PM} AS pm, ${FID} AS fid, ${INVALID_REASON} AS invalid_reason, ${VALID} AS valid
  FROM llm_calls FINAL
  WHERE org_id = {org:String}
    AND timestamp >= {dup_lo_dt:DateTime64(3, 'UTC')} AND timestamp <= {read_hi_dt:DateTime64(3, 'UTC')}
    AND (
      (${TS} >= {read_lo:Int64} AND ${TS} < {read_hi:Int64})
      OR (${TS} >= {dup_lo:Int64} AND ${TS} < {read_lo:Int64} AND status = 'ok' AND (
        prompt_hash IN (${keysInRange('prompt_hash', "prompt_hash != ''")})
        OR (length(prefix_hashes) >= 2 AND ${NEAR_KEY} IN (${keysInRange(NEAR_KEY, 'length(prefix_hashes) >= 2')})))))`;

const EARLIER = 'ORDER BY ts, request_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW';
const LATER = 'ORDER BY ts DESC, request_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING';

/** The window definitions of every rule, over all calls (suffix '') or per source ('_s'). */
const windows = (s: '' | '_s'): string[] => {
  const by = s ? ', source' : '';
  return [
    `w_dup${s} AS (PARTITION BY valid, pm, prompt_hash, ok${by} ${EARLIER})`,
    `w_near${s} AS (PARTITION BY valid, pm, n_blocks >= 2, near_key, ok${by} ${EARLIER})`,
    `w_retry${s} AS (PARTITION BY valid, prompt_hash, user${by} ${EARLIER})`,
    `w_session${s} AS (PARTITION BY valid, user, pm, fid${by} ${EARLIER})`,
    `w_unread${s} AS (PARTITION BY valid, pm, cache_key${by} ${LATER})`,
  ];
};

/** The nearest neighbours of each rule (lag / running min). */
const neighbours = (s: '' | '_s'): string[] => [
  `lagInFrame(toNullable(ts)) OVER w_dup${s} AS p_dup${s}`,
  `lagInFrame(toNullable(ts)) OVER w_near${s} AS p_near${s}`,
  `lagInFrame(toInt64(input_tokens)) OVER w_near${s} AS p_near_input${s}`,
  `lagInFrame(toNullable(ts)) OVER w_retry${s} AS p_retry${s}`,
  `lagInFrame(ok) OVER w_retry${s} AS p_retry_ok${s}`,
  `lagInFrame(is_429) OVER w_retry${s} AS p_retry_429${s}`,
  `lagInFrame(pm) OVER w_retry${s} AS p_retry_pm${s}`,
  `lagInFrame(toNullable(ts)) OVER w_session${s} AS p_session${s}`,
  `lagInFrame(toInt64(input_tokens)) OVER w_session${s} AS p_session_input${s}`,
  `min(if(cached_input_tokens > 0, ts, NULL)) OVER w_unread${s} AS n_read${s}`,
];

const within = (gap: string, ms: number): string => `coalesce(${gap} <= ${ms}, 0)`;

/** The stored neighbour columns (derive.ts: only what each rule would use, only within its gap). */
const stored = (s: '' | '_s'): string[] => {
  const out = s ? '_src' : '';
  return [
    `if(valid AND ok AND prompt_hash != '' AND ${within(`ts - p_dup${s}`, EXACT_DUP_WINDOW_MS)}, p_dup${s}, NULL) AS dup_prev_ts${out}`,
    `if(valid AND ok AND n_blocks >= 2 AND ${within(`ts - p_near${s}`, EXACT_DUP_WINDOW_MS)}, p_near${s}, NULL) AS near_prev_ts${out}`,
    `p_near_input${s} AS near_prev_input${out}`,
    `if(valid AND prompt_hash != '' AND p_retry${s} IS NOT NULL AND NOT p_retry_ok${s} AND ${within(`ts - p_retry${s}`, RETRY_WINDOW_MS)}, p_retry${s}, NULL) AS retry_prev_ts${out}`,
    `p_retry_429${s} AS retry_prev_429${out}`,
    `p_retry_pm${s} != pm AS retry_fallback${out}`,
    `if(valid AND user != '' AND ${within(`ts - p_session${s}`, SESSION_GAP_MS)}, p_session${s}, NULL) AS session_prev_ts${out}`,
    `p_session_input${s} AS session_prev_input${out}`,
    `if(valid AND cache_write_tokens > 0 AND ${within(`n_read${s} - ts`, CACHE_READ_WINDOW_MS)}, n_read${s}, NULL) AS next_read_ts${out}`,
  ];
};

const CALL_COLUMNS = `ts, request_id, source, ingested_at, retention_days, user, feature, provider, model, pair, status,
  input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, latency_ms, ttft_ms, stream,
  max_tokens, attempt, prompt_hash, cost_nanousd, n_blocks, invalid_reason`;

const STORED_NAMES = [...stored(''), ...stored('_s')].map((c) => c.slice(c.lastIndexOf(' AS ') + 4));

/** INSERT of call_facts for lo ≤ ts < hi. */
export const INSERT_CALL_FACTS = `
INSERT INTO call_facts (org_id, hour, gen, ${CALL_COLUMNS}, ${STORED_NAMES.join(', ')})
SELECT {org:String}, ${hourOf('ts')}, {gen:UInt64}, ${CALL_COLUMNS},
  ${[...stored(''), ...stored('_s')].join(',\n  ')}
FROM (
  SELECT *, ${[...neighbours(''), ...neighbours('_s')].join(',\n    ')}
  FROM (${BASE})
  WINDOW ${[...windows(''), ...windows('_s')].join(',\n    ')}
)
WHERE ts >= {lo:Int64} AND ts < {hi:Int64}`;

/**
 * The neighbour default when a block has no earlier / later occurrence: that far from any ts (|ts| < 8.64e15
 * ms), so the gap exceeds every TTL and the difference stays inside Int64.
 */
const NO_NEIGHBOUR = 4e18;

/**
 * Hashes that may occur in two calls: a superset of those that occur in two valid calls of one (provider,
 * model) — counted per 64-bit hash of the block hash alone over every row version read (no FINAL, no
 * validity filter), so a collision or an extra row can only add hashes, never drop one.
 */
const MAY_REPEAT = `
  SELECT cityHash64(h) FROM llm_calls ARRAY JOIN prefix_hashes AS h
  WHERE org_id = {org:String}
    AND timestamp >= {read_lo_dt:DateTime64(3, 'UTC')} AND timestamp <= {read_hi_dt:DateTime64(3, 'UTC')}
    AND toUnixTimestamp64Milli(timestamp) >= {read_lo:Int64} AND toUnixTimestamp64Milli(timestamp) < {read_hi:Int64}
  GROUP BY cityHash64(h) HAVING count() > 1`;

/**
 * One row per first copy of a block that may repeat, in a valid call: a hash outside MAY_REPEAT occurs in
 * this call only, so the chain ends at cap (the first such position) both ways; every other block may be
 * the nearest occurrence of another call's, so all are kept (positions ≥ cap too). seq: the call's rank in
 * (ts, request_id) order, a narrow sort key for the windows.
 */
const EXPLODED = `
  SELECT seq, ts, source, ingested_at, retention_days, feature, provider, model, pair, pm, input_tokens, cached_input_tokens, cache_write_tokens,
         n_blocks, cap, hash, toUInt32(first_index - 1) AS pos
  FROM (
    SELECT *, arrayMap(h -> cityHash64(h) IN (${MAY_REPEAT}), prefix_hashes) AS may_repeat,
           toUInt32(arrayFirstIndex(r -> NOT r, arrayPushBack(may_repeat, 0)) - 1) AS cap
    FROM (
      SELECT ts, source, ingested_at, retention_days, feature, provider, model, pair, pm, input_tokens, cached_input_tokens,
             cache_write_tokens, prefix_hashes, n_blocks, row_number() OVER (ORDER BY ts, request_id) AS seq
      FROM (${BASE}) WHERE valid AND n_blocks > 0 AND ts >= {read_lo:Int64}
    )
  )
  ARRAY JOIN
    arrayFilter((h, u, r) -> u = 1 AND r, prefix_hashes, arrayEnumerateUniq(prefix_hashes), may_repeat) AS hash,
    arrayFilter((i, u, r) -> u = 1 AND r, arrayEnumerate(prefix_hashes), arrayEnumerateUniq(prefix_hashes), may_repeat) AS first_index`;

/** The gaps (ms) to the nearest earlier and later occurrence of the block, over all calls and per source. */
const GAPS = `
  SELECT seq, ts, source, ingested_at, retention_days, feature, provider, model, pair, input_tokens, cached_input_tokens, cache_write_tokens, cap, pos,
         ts - lagInFrame(ts, 1, ${-NO_NEIGHBOUR}) OVER w AS prev_gap, leadInFrame(ts, 1, ${NO_NEIGHBOUR}) OVER w - ts AS next_gap,
         ts - lagInFrame(ts, 1, ${-NO_NEIGHBOUR}) OVER w_s AS prev_gap_s, leadInFrame(ts, 1, ${NO_NEIGHBOUR}) OVER w_s - ts AS next_gap_s
  FROM (${EXPLODED})
  WINDOW w AS (PARTITION BY pm, hash ORDER BY seq ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
         w_s AS (PARTITION BY pm, source, hash ORDER BY seq ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)`;

/**
 * The gaps of the call's first copies in position order (`sorted_<name>`), up to the first one beyond the
 * longest TTL, and the chain length there: that block's position, else cap.
 */
const chain = (name: string, out: string): string[] => {
  const sorted = `arraySort((g, p) -> p, groupArray(${name}), groupArray(pos))`;
  const cut = `arrayFirstIndex(g -> g > ${MAX_TTL_MS}, ${sorted} AS sorted_${name})`;
  return [
    `toUInt32(if(${cut} AS cut_${name} = 0, any(cap), first_pos[cut_${name}])) AS ${out.replace('gaps', 'len')}`,
    `arrayMap(g -> toUInt32(g), if(cut_${name} = 0, sorted_${name}, arraySlice(sorted_${name}, 1, cut_${name} - 1))) AS ${out}`,
  ];
};

/** INSERT of call_prefix_facts for lo ≤ ts < hi (calls whose first block may repeat). */
export const INSERT_PREFIX_FACTS = `
INSERT INTO call_prefix_facts (org_id, hour, gen, ts, source, ingested_at, retention_days, feature, provider, model, pair,
  input_tokens, cached_input_tokens, cache_write_tokens, first_pos, prev_len, prev_gaps, next_len, next_gaps,
  prev_len_src, prev_gaps_src, next_len_src, next_gaps_src)
SELECT {org:String}, ${hourOf('call_ts')}, {gen:UInt64}, any(ts) AS call_ts, any(source), any(ingested_at), any(retention_days), any(feature),
  any(provider), any(model), any(pair), any(input_tokens), any(cached_input_tokens), any(cache_write_tokens),
  arraySort(groupArray(pos)) AS first_pos,
  ${[...chain('prev_gap', 'prev_gaps'), ...chain('next_gap', 'next_gaps'), ...chain('prev_gap_s', 'prev_gaps_src'), ...chain('next_gap_s', 'next_gaps_src')].join(',\n  ')}
FROM (${GAPS})
WHERE pos < cap AND ts >= {lo:Int64} AND ts < {hi:Int64}
GROUP BY seq`;
