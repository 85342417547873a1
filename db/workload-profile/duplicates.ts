// The duplicate rules (rules.ts EXACT_DUP, NEAR_DUP) for two sections from one window pass, with GROUPING SETS:
//   per segment (fid, pm)         the exact / near dup sums of segments.ts (fid ≥ 1);
//   duplicate_prompts (pm, hash)  per (provider, model, prompt_hash) with at least one exact duplicate:
//                                 calls with that prompt (any status), duplicates and their cost; top N by
//                                 duplicate cost, ties by provider, model, prompt_hash (fid = 0, the default
//                                 of a key outside its set).
// Rows read: every call with a prompt hash (the prompt counts take any status) and the ok calls with two
// blocks (near dups); the other rows can neither be flagged nor be the earlier ok call a flagged row looks for.
import type { ClickHouseClient } from '../clickhouse';
import { DOUBLE_FIRE_MS } from '../../engine/profile/derive';
import type { DuplicatePrompt } from '../../engine/profile/types';
import { EXACT_DUP, NEAR_DUP, derived } from './rules';
import { cmp, num, queryRows, str, type ProfileParams, type Row } from './sql';

/**
 * Σ of a Float64 over the rows matching `cond`, added left to right in (ts, request_id) order as the
 * reference does: floating-point addition is not associative, so sum() (any order) could differ in the
 * last bits for latencies that are not whole (or dyadic) milliseconds.
 */
const FLOAT_SUM_IN_ORDER = (value: string, cond: string): string =>
  `arrayFold((acc, x) -> acc + x.3, arraySort(groupArrayIf((ts, request_id, ${value}), ${cond})), toFloat64(0))`;

const QUERY = `
SELECT * FROM (
  SELECT *, row_number() OVER (PARTITION BY fid = 0 ORDER BY sum_exact_dup_cost DESC, segment_provider, segment_model, prompt_hash) AS prompt_rank
  FROM (
    SELECT fid, {features:Array(String)}[fid] AS segment_feature, {pairs_p:Array(String)}[pm] AS segment_provider,
      {pairs_m:Array(String)}[pm] AS segment_model, prompt_hash,
      count() AS n_calls, countIf(exact_dup) AS n_exact_dup, sumIf(cost, exact_dup) AS sum_exact_dup_cost,
      ${FLOAT_SUM_IN_ORDER('assumeNotNull(latency_ms)', 'exact_dup AND latency_ms IS NOT NULL')} AS sum_exact_dup_latency,
      countIf(exact_dup AND dup_gap <= ${DOUBLE_FIRE_MS}) AS n_double_fire,
      countIf(near_dup) AS n_near_dup, sumIf(cost, near_dup) AS sum_near_dup_cost
    FROM (${derived([EXACT_DUP, NEAR_DUP], `prompt_hash != '' OR (ok AND n_blocks >= 2)`)})
    GROUP BY GROUPING SETS ((fid, pm), (pm, prompt_hash))
    HAVING fid != 0 OR n_exact_dup > 0
  )
)
WHERE fid != 0 OR prompt_rank <= {top:UInt32}`;

export interface Duplicates {
  /** Per segment: segment_feature / _provider / _model and the exact / near dup sums of SegmentProfile. */
  segments: Row[];
  prompts: DuplicatePrompt[];
}

export async function loadDuplicates(ch: ClickHouseClient, params: ProfileParams): Promise<Duplicates> {
  const out: Duplicates = { segments: [], prompts: [] };
  for (const r of await queryRows(ch, QUERY, params)) {
    if (num(r, 'fid') !== 0) out.segments.push(r);
    else
      out.prompts.push({
        provider: str(r, 'segment_provider'),
        model: str(r, 'segment_model'),
        prompt_hash: str(r, 'prompt_hash'),
        calls: num(r, 'n_calls'),
        dup_calls: num(r, 'n_exact_dup'),
        dup_cost_nanousd: num(r, 'sum_exact_dup_cost'),
      });
  }
  out.prompts.sort((a, b) => b.dup_cost_nanousd - a.dup_cost_nanousd || cmp(a.provider, b.provider) || cmp(a.model, b.model) || cmp(a.prompt_hash, b.prompt_hash));
  return out;
}
