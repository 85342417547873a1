// What an org's telemetry covers (for the data sufficiency score): one aggregate over the hourly rollups of the
// org's call facts (db/call-facts.ts: one row per call of llm_calls FINAL, brought up to date first; rolled up
// per hour by db/workload-profile/call-rollup.ts), a few rows an hour rather than every call.
import type { ClickHouseClient } from './clickhouse';
import { ensureCallFacts } from './call-facts';
import { CALL_ROLLUP } from './workload-profile/call-rollup';
import { CURRENT_FACTS, QUERY_SETTINGS } from './workload-profile/sql';

/** A sum column of call_rollups. */
const at = (name: string): string => {
  if (!CALL_ROLLUP.sums.some(([n]) => n === name)) throw new Error(`call_rollups has no sum ${name}`);
  return name;
};

// All sources: the rows of scope 0; one source: its rows of scope 1 (scope 0 keeps no source: rollup.ts). What
// coverage sums does not depend on the rules' flags, which is all the scopes differ in.
const SCOPE = `if({source:String} = '', scope = 0, scope = 1 AND source = {source:String})`;

export interface CoverageRow {
  calls: number;
  days: number;
  with_latency: number;
  with_feature: number;
  with_prompt_hash: number;
  with_prefix_or_cache: number;
  with_user: number;
  with_ttft: number;
  /** The feature names of the calls (up to 500), so a question can name one without the word "feature". */
  features: string[];
  from_ms: number | null;
  to_ms: number | null;
  /**
   * What changes whenever the calls do: their count, cost sum, first and last timestamp, latest ingestion, and
   * an order-independent sum of per-row hashes of (request id, ingestion time, cost — NULL apart from 0), so a
   * new or replaced row, a cost rewritten in place by a recompute, or a TTL deletion changes it. A stored profile
   * is reused only under it.
   */
  fingerprint: string;
}

export async function dataCoverage(ch: ClickHouseClient, orgId: string, source?: string): Promise<CoverageRow> {
  await ensureCallFacts(ch, orgId);
  const rs = await ch.query({
    query: `SELECT sum(${at('n_calls')}) AS calls,
              if(count() = 0, 0, dateDiff('second', fromUnixTimestamp64Milli(min(min_ts)), fromUnixTimestamp64Milli(max(max_ts))) / 86400) AS days,
              calls - sum(${at('n_missing_latency')}) AS with_latency,
              sumIf(${at('n_calls')}, feature != '') AS with_feature,
              calls - sum(${at('n_missing_prompt_hash')}) AS with_prompt_hash,
              sum(${at('n_prefix_or_cache')}) AS with_prefix_or_cache,
              sum(${at('n_user')}) AS with_user,
              calls - sum(${at('n_missing_ttft')}) AS with_ttft,
              arraySort(groupUniqArrayIf(500)(toString(feature), feature != '')) AS features,
              if(count() = 0, NULL, min(min_ts)) AS from_ms,
              if(count() = 0, NULL, max(max_ts)) AS to_ms,
              toString(sum(${at('sum_raw_cost')})) AS cost_sum,
              toString(sum(content_hash)) AS content_hash,
              if(count() = 0, 0, max(last_ingested_ms)) AS last_ingested_ms
            FROM call_rollups
            WHERE org_id = {org:String} AND ${SCOPE} AND ${CURRENT_FACTS}`,
    query_params: { org: orgId, source: source ?? '', from_hour: -(2 ** 31), to_hour: 2 ** 31 - 1 },
    format: 'JSONEachRow',
    clickhouse_settings: QUERY_SETTINGS,
  });
  const [row] = await rs.json<Record<string, string | number | null | string[]>>();
  const n = (v: string | number | null | string[] | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    calls: n(row?.calls) ?? 0,
    days: n(row?.days) ?? 0,
    with_latency: n(row?.with_latency) ?? 0,
    with_feature: n(row?.with_feature) ?? 0,
    with_prompt_hash: n(row?.with_prompt_hash) ?? 0,
    with_prefix_or_cache: n(row?.with_prefix_or_cache) ?? 0,
    with_user: n(row?.with_user) ?? 0,
    with_ttft: n(row?.with_ttft) ?? 0,
    features: Array.isArray(row?.features) ? row.features : [],
    from_ms: n(row?.from_ms),
    to_ms: n(row?.to_ms),
    fingerprint: [row?.calls, row?.cost_sum, row?.content_hash, row?.from_ms, row?.to_ms, row?.last_ingested_ms].map((v) => String(v ?? '')).join(':'),
  };
}
