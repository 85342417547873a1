// prefix_cache: per (feature, provider, model), the prompt-cache potential at each TTL × minimum prefix
// (derive.ts §prefix). For TTL T, a call's hit blocks = the largest k such that each prefix_hashes[j], j < k,
// occurred in an earlier call of the same (provider, model) at most T before; reuse blocks = the same
// towards later calls. The chain breaks at the first position whose hash fails, so
//   hit_T = min(first position of a failing hash, n)
// where a hash fails when its nearest earlier occurrence (the previous row of the same (provider, model,
// hash) in (ts, request_id) order) is absent or more than T away. A hash repeated inside one call is exploded
// once, at its first position (arrayEnumerateUniq = 1): a later copy has the same nearest occurrences
// and a larger position, so it never moves the minimum, and the lag never sees the call itself.
// Then repeat_T = min(hit·512, input), write_T = max(0, min(reuse·512, input) − repeat_T), and at
// threshold m: repeat counts when ≥ m, write when repeat + write ≥ m; gap = max(0, repeat − cached_input),
// extra_write = max(0, write − cache_write).
import type { ClickHouseClient } from '../clickhouse';
import { PREFIX_BLOCK_TOKENS } from '../../engine/telemetry/record';
import { CACHE_MIN_TOKENS, CACHE_TTLS_S, type PrefixCacheStats } from '../../engine/profile/types';
import { CALLS, IN_SCOPE, queryRows, segmentKey, str, type ProfileParams } from './sql';

/**
 * The lag / lead default when a hash has no earlier / later occurrence: that far from any ts (|ts| < 8.64e15
 * ms, the Date range), so the gap exceeds every TTL and the difference stays inside Int64.
 */
const NO_NEIGHBOUR = 4e18;

const TTLS = CACHE_TTLS_S.map((ttl_s, t) => ({ ttl_s, t, ms: ttl_s * 1000 }));

/**
 * Hashes that may occur in two calls: a superset of those that occur in two valid calls of one (provider,
 * model) in scope — counted per 64-bit hash of the block hash alone, over every row version in scope (no
 * FINAL, no validity filter), so a collision or an extra row can only add hashes, never drop one. Read
 * without the FINAL merge, this is cheap next to the sort below.
 */
const MAY_REPEAT = `
  SELECT cityHash64(h) FROM llm_calls ARRAY JOIN prefix_hashes AS h
  WHERE ${IN_SCOPE}
  GROUP BY cityHash64(h) HAVING count() > 1`;

/**
 * Per call: hit and reuse blocks at each TTL. A hash outside MAY_REPEAT occurs in this call only, so it fails
 * both ways: cap = its first such position (n when none) bounds hit and reuse, and only the hashes that may
 * repeat are exploded — every occurrence of them (any position, first copy in a call), since each may be the
 * nearest earlier / later occurrence of another call's. Within a (pm, hash) partition ordered by seq (the
 * call's rank in (ts, request_id) order) the neighbour rows are those occurrences; numeric seq and fid keep
 * the sorted rows and the regrouping narrow. Rows at pos ≥ cap cannot lower the minimum: dropped before it,
 * and so are the calls with cap = 0 (no repeat, no write: they add nothing to any sum).
 */
const EXPLODED = `
      SELECT seq, ts, fid, pm, input_tokens, cached_input_tokens, cache_write_tokens, cap, hash, toInt64(first_index) - 1 AS pos
      FROM (
        SELECT *, arrayMap(h -> cityHash64(h) IN (${MAY_REPEAT}), prefix_hashes) AS may_repeat,
               toInt64(arrayFirstIndex(r -> NOT r, arrayPushBack(may_repeat, 0)) - 1) AS cap
        FROM (
          SELECT ts, fid, pm, input_tokens, cached_input_tokens, cache_write_tokens, prefix_hashes, n_blocks,
                 row_number() OVER (ORDER BY ts, request_id) AS seq
          FROM (${CALLS}) WHERE n_blocks > 0
        )
      )
      ARRAY JOIN
        arrayFilter((h, u, r) -> u = 1 AND r, prefix_hashes, arrayEnumerateUniq(prefix_hashes), may_repeat) AS hash,
        arrayFilter((i, u, r) -> u = 1 AND r, arrayEnumerate(prefix_hashes), arrayEnumerateUniq(prefix_hashes), may_repeat) AS first_index`;

const PER_CALL = `
  SELECT any(fid) AS feature_id, any(pm) AS model_id,
         toInt64(any(input_tokens)) AS input, toInt64(any(cached_input_tokens)) AS cached, toInt64(any(cache_write_tokens)) AS cache_write,
         ${TTLS.map(({ t, ms }) => `min(if(ts - prev_ts <= ${ms}, cap, pos)) AS hit_${t}, min(if(next_ts - ts <= ${ms}, cap, pos)) AS reuse_${t}`).join(',\n         ')}
  FROM (
    SELECT seq, ts, fid, pm, input_tokens, cached_input_tokens, cache_write_tokens, cap, pos,
           lagInFrame(ts, 1, ${-NO_NEIGHBOUR}) OVER w AS prev_ts,
           leadInFrame(ts, 1, ${NO_NEIGHBOUR}) OVER w AS next_ts
    FROM (${EXPLODED})
    WINDOW w AS (PARTITION BY pm, hash ORDER BY seq ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
  )
  WHERE pos < cap
  GROUP BY seq`;

/** Per call: repeat_T and write_T tokens. */
const TOKENS = `
  SELECT feature_id, model_id, cached, cache_write,
         ${TTLS.map(({ t }) => `least(hit_${t} * ${PREFIX_BLOCK_TOKENS}, input) AS repeat_${t}, greatest(least(reuse_${t} * ${PREFIX_BLOCK_TOKENS}, input) - repeat_${t}, 0) AS write_${t}`).join(',\n         ')}
  FROM (${PER_CALL})`;

/** The 5 sums of one (TTL, threshold), in PrefixCacheStats order: hit_calls, repeat, gap, write, extra_write. */
function sums(t: number, min: number): string[] {
  const r = `if(repeat_${t} >= ${min}, repeat_${t}, 0)`;
  const w = `if(repeat_${t} + write_${t} >= ${min}, write_${t}, 0)`;
  return [
    `toInt64(countIf(repeat_${t} >= ${min} AND repeat_${t} > 0))`,
    `sum(${r})`,
    `sum(greatest(${r} - cached, 0))`,
    `sum(${w})`,
    `sum(greatest(${w} - cache_write, 0))`,
  ];
}

const QUERY = `
SELECT {features:Array(String)}[feature_id] AS feature, {pairs_p:Array(String)}[model_id] AS provider, {pairs_m:Array(String)}[model_id] AS model,
  [${TTLS.flatMap(({ t }) => CACHE_MIN_TOKENS.flatMap((min) => sums(t, min))).join(',\n   ')}] AS stats
FROM (${TOKENS})
GROUP BY feature_id, model_id`;

/** prefix_cache per segment key (feature \0 provider \0 model); segments without prefix calls are absent (all zeros). */
export async function loadPrefixCache(ch: ClickHouseClient, params: ProfileParams): Promise<Map<string, PrefixCacheStats[]>> {
  const out = new Map<string, PrefixCacheStats[]>();
  for (const r of await queryRows(ch, QUERY, params)) {
    const stats = r['stats'];
    if (!Array.isArray(stats)) throw new Error('workload profile: prefix stats is not an array');
    const at = (k: number) => Number(stats[k]);
    out.set(segmentKey(str(r, 'feature'), str(r, 'provider'), str(r, 'model')), prefixStats((i, f) => at(i * 5 + f)));
  }
  return out;
}

/** PrefixCacheStats[] in CACHE_TTLS_S × CACHE_MIN_TOKENS order; value(i, field) of the i-th combination. */
export function prefixStats(value: (i: number, field: number) => number): PrefixCacheStats[] {
  return CACHE_TTLS_S.flatMap((ttl_s, t) =>
    CACHE_MIN_TOKENS.map((min_tokens, m) => {
      const i = t * CACHE_MIN_TOKENS.length + m;
      return {
        ttl_s,
        min_tokens,
        hit_calls: value(i, 0),
        repeat_tokens: value(i, 1),
        gap_tokens: value(i, 2),
        write_tokens: value(i, 3),
        extra_write_tokens: value(i, 4),
      };
    }),
  );
}
