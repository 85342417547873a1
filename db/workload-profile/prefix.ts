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
import { CALLS, queryRows, segmentKey, str, type ProfileParams } from './sql';

const TTLS = CACHE_TTLS_S.map((ttl_s, t) => ({ ttl_s, t, ms: ttl_s * 1000 }));

/**
 * Per call: hit and reuse blocks at each TTL, from its exploded (distinct hash, first position) rows sorted
 * by (pm, hash, seq), seq = the call's rank in (ts, request_id) order: the neighbour rows of the same
 * (pm, hash) are the nearest earlier / later occurrences. One global order (no PARTITION BY: millions of
 * one-row partitions are slow) with an explicit same-key test on the neighbours; a numeric seq instead of
 * the request id keeps the sorted rows and the regrouping narrow.
 */
const PER_CALL = `
  SELECT any(feature_s) AS feature, any(pm) AS model_id,
         toInt64(any(input_tokens)) AS input, toInt64(any(cached_input_tokens)) AS cached, toInt64(any(cache_write_tokens)) AS cache_write,
         ${TTLS.map(({ t, ms }) => `min(if(prev_same AND ts - prev_ts <= ${ms}, n, pos)) AS hit_${t}, min(if(next_same AND next_ts - ts <= ${ms}, n, pos)) AS reuse_${t}`).join(',\n         ')}
  FROM (
    SELECT seq, ts, feature_s, pm, input_tokens, cached_input_tokens, cache_write_tokens, n, pos,
           lagInFrame(pm) OVER w = pm AND lagInFrame(hash) OVER w = hash AS prev_same,
           leadInFrame(pm) OVER w = pm AND leadInFrame(hash) OVER w = hash AS next_same,
           lagInFrame(ts) OVER w AS prev_ts,
           leadInFrame(ts) OVER w AS next_ts
    FROM (
      SELECT seq, ts, feature_s, pm, input_tokens, cached_input_tokens, cache_write_tokens,
             toInt64(length(prefix_hashes)) AS n, hash, toInt64(first_index) - 1 AS pos
      FROM (SELECT *, row_number() OVER (ORDER BY ts, request_id) AS seq FROM (${CALLS}) WHERE n_blocks > 0)
      ARRAY JOIN
        arrayFilter((h, u) -> u = 1, prefix_hashes, arrayEnumerateUniq(prefix_hashes)) AS hash,
        arrayFilter((i, u) -> u = 1, arrayEnumerate(prefix_hashes), arrayEnumerateUniq(prefix_hashes)) AS first_index
    )
    WINDOW w AS (ORDER BY pm, hash, seq ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
  )
  GROUP BY seq`;

/** Per call: repeat_T and write_T tokens. */
const TOKENS = `
  SELECT feature, model_id, cached, cache_write,
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
SELECT feature, {pairs_p:Array(String)}[model_id] AS provider, {pairs_m:Array(String)}[model_id] AS model,
  [${TTLS.flatMap(({ t }) => CACHE_MIN_TOKENS.flatMap((min) => sums(t, min))).join(',\n   ')}] AS stats
FROM (${TOKENS})
GROUP BY feature, model_id`;

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
