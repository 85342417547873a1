// prefix_cache: per (feature, provider, model), the prompt-cache potential at each TTL × minimum prefix
// (derive.ts §prefix). For TTL T, a call's hit blocks = the largest k such that each prefix_hashes[j], j < k,
// occurred in an earlier call of the same (provider, model) in the window at most T before; reuse blocks =
// the same towards later calls. call_prefix_facts (db/call-facts/build.ts) lists, per call, the distance to
// each leading block's nearest earlier / later occurrence over all the org's calls, up to the first block
// that fails at the longest TTL (prev_len / next_len: that block's position). The nearest occurrence inside
// the window is the stored one when it is ≥ from (< to), so
//   hit_T = position of the first listed block with gap > T or ts − gap < from, else prev_len
// (reuse likewise with ts + gap ≥ to). Copies of a block repeated inside a call are not listed: they have the
// gap of their first copy, so they never fail first.
// Then repeat_T = min(hit·512, input), write_T = max(0, min(reuse·512, input) − repeat_T), and at
// threshold m: repeat counts when ≥ m, write when repeat + write ≥ m; gap = max(0, repeat − cached_input),
// extra_write = max(0, write − cache_write).
import type { ClickHouseClient } from '../clickhouse';
import { PREFIX_BLOCK_TOKENS } from '../../engine/telemetry/record';
import { CACHE_MIN_TOKENS, CACHE_TTLS_S, type PrefixCacheStats } from '../../engine/profile/types';
import { total, windowRollup, windowSql, type RollupSpec, type Sum } from './rollup';
import { SEGMENT_NAMES, queryRows, segmentKey, str, type ProfileParams } from './sql';

const TTLS = CACHE_TTLS_S.map((ttl_s, t) => ({ ttl_s, t, ms: ttl_s * 1000 }));

/** The chain length of one direction at TTL `ms`: the position of the first listed block that fails, else the stored length. */
function chainLength(gaps: string, len: string, ms: number, inWindow: string): string {
  const failing = `arrayFirstIndex(g -> g > ${ms} OR NOT (${inWindow}), if({by_source:UInt8} = 1, ${gaps}_src, ${gaps}))`;
  return `if(${failing} AS fail_${gaps}_${ms} = 0, if({by_source:UInt8} = 1, ${len}_src, ${len}), first_pos[fail_${gaps}_${ms}])`;
}

/** Per call of call_prefix_facts matching `filter`: repeat_T and write_T tokens. */
const tokens = (filter: string): string => `
  SELECT hour, source, feature, pair, ingested_at, retention_days,
         toInt64(input_tokens) AS input, toInt64(cached_input_tokens) AS cached, toInt64(cache_write_tokens) AS cache_write,
         ${TTLS.map(
           ({ t, ms }) =>
             `least(toInt64(${chainLength('prev_gaps', 'prev_len', ms, 'ts - g >= {from_ms:Int64}')}) * ${PREFIX_BLOCK_TOKENS}, input) AS repeat_${t},
         greatest(least(toInt64(${chainLength('next_gaps', 'next_len', ms, 'ts + g < {to_ms:Int64}')}) * ${PREFIX_BLOCK_TOKENS}, input) - repeat_${t}, 0) AS write_${t}`,
         ).join(',\n         ')}
  FROM call_prefix_facts
  WHERE ${filter}`;

/** The 5 per-call values of one (TTL, threshold), in PrefixCacheStats order: hit_calls, repeat, gap, write, extra_write. */
function perCall(t: number, min: number): Sum[] {
  const r = `if(repeat_${t} >= ${min}, repeat_${t}, 0)`;
  const w = `if(repeat_${t} + write_${t} >= ${min}, write_${t}, 0)`;
  return [
    [`hit_${t}_${min}`, `repeat_${t} >= ${min} AND repeat_${t} > 0`],
    [`repeat_${t}_${min}`, r],
    [`gap_${t}_${min}`, `greatest(${r} - cached, 0)`],
    [`write_${t}_${min}`, w],
    [`extra_write_${t}_${min}`, `greatest(${w} - cache_write, 0)`],
  ];
}

/** The hourly rollup of call_prefix_facts (rollup.ts): per (hour, source, feature, pair), every (TTL, threshold)'s 5 sums. */
export const PREFIX_ROLLUP: RollupSpec = {
  table: 'call_prefix_rollups',
  keys: ['hour', 'source', 'feature', 'pair'],
  rows: tokens,
  sums: TTLS.flatMap(({ t }) => CACHE_MIN_TOKENS.flatMap((min) => perCall(t, min))),
  merged: [],
  stored: [
    ['ingested_at', 'max(ingested_at)'],
    ['retention_days', 'max(retention_days)'],
  ],
};

const QUERY = windowRollup(PREFIX_ROLLUP, `${SEGMENT_NAMES}, [${PREFIX_ROLLUP.sums.map(([n]) => total(PREFIX_ROLLUP, n)).join(', ')}] AS stats`, '1', 'fid, pm');

/** prefix_cache per segment key (feature \0 provider \0 model); segments without prefix calls are absent (all zeros). */
export async function loadPrefixCache(ch: ClickHouseClient, params: ProfileParams): Promise<Map<string, PrefixCacheStats[]>> {
  const out = new Map<string, PrefixCacheStats[]>();
  for (const r of await queryRows(ch, windowSql(QUERY, params), params)) {
    const stats = r['stats'];
    if (!Array.isArray(stats)) throw new Error('workload profile: prefix stats is not an array');
    const at = (k: number) => Number(stats[k]);
    out.set(segmentKey(str(r, 'segment_feature'), str(r, 'segment_provider'), str(r, 'segment_model')), prefixStats((i, f) => at(i * 5 + f)));
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
