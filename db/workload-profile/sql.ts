// What every section of the ClickHouse workload profile shares: the query parameters, the scope filter
// (one org, one window, optionally one source), the validity rule and the `calls` row source (derive.ts
// §validity, §cost, §status), nearest-rank distributions (distribution.ts) and parsing of result rows.
//
// Output aliases never reuse a column name (`n_calls`, `sum_input`, …): ClickHouse substitutes an alias
// wherever its name appears in the same SELECT, so `sum(input_tokens) AS input_tokens` would capture every
// other use of input_tokens.
import type { ClickHouseClient } from '../clickhouse';
import { HOUR_MS } from '../../engine/profile/derive';
import { MAX_TOKENS_PER_FIELD } from '../../engine/telemetry/record';
import type { CallCounts, Distribution, TokenSums } from '../../engine/profile/types';
import { LONG_REACH_MS, SHORT_REACH_MS } from '../call-facts/reach';

/** The numeric ids of the (provider, model) pairs and features in scope (exact: indexes into these arrays). */
export interface ModelIds {
  /**
   * Every (provider, model) pair in scope as parallel arrays, and whether the catalog knows it (1/0):
   * pm = the pair's 1-based index, the exact numeric model id windows and groups key on.
   */
  pairs_p: string[];
  pairs_m: string[];
  /** The pairs' keys (PAIR_KEY) and ids 1…n, for `transform`. */
  pair_keys: string[];
  pair_ids: number[];
  pair_known: number[];
  /** Every feature in scope: fid = the feature's 1-based index, an exact numeric feature id. */
  features: string[];
  feature_ids: number[];
}

export const emptyIds = (): ModelIds => ({ pairs_p: [], pairs_m: [], pair_keys: [], pair_ids: [], pair_known: [], features: [], feature_ids: [] });

/** Query parameters of every section (ClickHouse `{name:Type}` placeholders; never spliced into SQL). */
export interface ProfileParams extends ModelIds {
  [name: string]: unknown;
  org: string;
  /** The hours of the window's first and last millisecond (inclusive). */
  from_hour: number;
  to_hour: number;
  /**
   * The window's interior hours, interior_lo ≤ hour ≤ interior_hi: at least LONG_REACH_MS after its start and
   * SHORT_REACH_MS before its end, so every rule's nearest neighbour of their calls is inside the window and
   * their flags are those over all the org's calls — what the hourly rollups (rollup.ts) hold; up to the
   * window's first / last hour where no call lies near the window outside it (withQuietEnds).
   */
  interior_lo: number;
  interior_hi: number;
  /** Exact bounds in epoch ms: from_ms ≤ ts < to_ms (ts is an integer, so ceil of the window's bounds). */
  from_ms: number;
  to_ms: number;
  by_source: 0 | 1;
  source: string;
  /** Length of the top-N lists. */
  top: number;
}

// DateTime64(3) spans 1900-01-01 … 2299-12-31.
const MIN_DT_MS = Date.UTC(1900, 0, 1);
const MAX_DT_MS = Date.UTC(2300, 0, 1) - 1;
const MAX_MS = 8.64e15; // the largest Date; beyond it every stored timestamp is "before"

export const dateTime64 = (ms: number): string => new Date(Math.min(MAX_DT_MS, Math.max(MIN_DT_MS, ms))).toISOString().replace('T', ' ').replace('Z', '');
/** ceil (timestamps are integers: ts ≥ x ⟺ ts ≥ ceil x, ts < x ⟺ ts < ceil x), clamped; NaN compares false in the reference: no bound. */
const boundMs = (ms: number, nan: number): number => (Number.isNaN(ms) ? nan : Math.min(MAX_MS, Math.max(-MAX_MS, Math.ceil(ms))));

/** The hour of a bound, inside Int32 (every stored timestamp's hour is far inside it). */
const hourParam = (ms: number): number => Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), Math.floor(ms / HOUR_MS)));

export function scopeParams(org: string, window: { from: number; to: number; source?: string }, top: number): ProfileParams {
  const from_ms = boundMs(window.from, -MAX_MS);
  const to_ms = boundMs(window.to, MAX_MS);
  return {
    org,
    from_hour: hourParam(from_ms),
    to_hour: hourParam(to_ms),
    interior_lo: hourParam(from_ms + LONG_REACH_MS + HOUR_MS - 1),
    interior_hi: hourParam(to_ms - SHORT_REACH_MS - HOUR_MS),
    from_ms,
    to_ms,
    by_source: window.source === undefined ? 0 : 1,
    source: window.source ?? '',
    ...emptyIds(),
    top,
  };
}

/** How far outside a window a call can change a flag inside it: before its start, after its end (ms). */
export const REACH_BEFORE_MS = Math.max(LONG_REACH_MS, HOUR_MS);
export const REACH_AFTER_MS = Math.max(SHORT_REACH_MS, HOUR_MS);

/**
 * The scope with its interior extended to the window's first (last) hour when no call in scope lies less than
 * REACH_BEFORE_MS before its start (REACH_AFTER_MS after its end): then every neighbour a rule may use of the
 * calls at that end is inside the window, as it is over all calls, and that partial hour holds no call outside
 * the window — its rollups are the window's figures.
 */
export function withQuietEnds(scope: ProfileParams, callsBefore: number, callsAfter: number): ProfileParams {
  return {
    ...scope,
    interior_lo: callsBefore === 0 ? scope.from_hour : scope.interior_lo,
    interior_hi: callsAfter === 0 ? scope.to_hour : scope.interior_hi,
  };
}

/** The rows of a facts table (db/call-facts.ts) that are current: each of the org's hours in its current generation. */
export const CURRENT_FACTS = `(hour, gen) IN (SELECT hour, gen FROM call_facts_hours FINAL WHERE org_id = {org:String} AND hour >= {from_hour:Int32} AND hour <= {to_hour:Int32})`;

/** The rows of the profile in a facts table: one org, the window [from, to), and the source when one is given. */
export const IN_SCOPE = `org_id = {org:String}
    AND hour >= {from_hour:Int32} AND hour <= {to_hour:Int32} AND ts >= {from_ms:Int64} AND ts < {to_ms:Int64}
    AND ({by_source:UInt8} = 0 OR source = {source:String}) AND ${CURRENT_FACTS}`;

/** The values of call_facts.invalid_reason. */
export const InvalidReason = { None: 0, Absurd: 1, CachedExceeds: 2, BadCost: 3 } as const;

// derive.ts §validity, for what a row can hold: provider/model/status are non-null strings, timestamps are
// finite and token columns are non-negative integers (UInt32), so the reasons left are a token field above
// MAX_TOKENS_PER_FIELD (absurd), cached > input, and a negative cost (Int64) — checked in that order.
// Call facts store the reason as `invalid_reason` (INVALID_REASON); VALID reads it.
const ABSURD = `greatest(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens) > ${MAX_TOKENS_PER_FIELD}`;
const CACHED_EXCEEDS = `cached_input_tokens > input_tokens`;
const BAD_COST = `ifNull(cost_nanousd, 0) < 0`;
export const INVALID_REASON = `multiIf(${ABSURD}, ${InvalidReason.Absurd}, ${CACHED_EXCEEDS}, ${InvalidReason.CachedExceeds}, ${BAD_COST}, ${InvalidReason.BadCost}, ${InvalidReason.None})`;
export const VALID = `invalid_reason = ${InvalidReason.None}`;

/**
 * A (provider, model) pair as one string, injective (the provider's byte length leads): call facts store it as
 * a LowCardinality column `pair`, so `transform` maps it to the pair's id over the column's dictionary only.
 */
export const PAIR_KEY = `concat(toString(length(provider)), ':', provider, model)`;

/** The pair's index in the pairs parameter (1-based; the pairs cover every row in scope), from the column `pair`. */
export const PM = `transform(pair, {pair_keys:Array(String)}, {pair_ids:Array(UInt32)}, toUInt32(0))`;
/** The feature's index in the features parameter (1-based; the features cover every row in scope). */
export const FID = `transform(feature, {features:Array(String)}, {feature_ids:Array(UInt32)}, toUInt32(0))`;
/** derive.ts §cost: known = the catalog finds the (provider, model) pair (decided in TypeScript). */
export const KNOWN = `{pair_known:Array(UInt8)}[pm] = 1`;

/** A neighbour column of call_facts: among all calls, or among the calls of the row's source when the profile has one. */
const neighbour = (column: string, as: string): string => `if({by_source:UInt8} = 1, ${column}_src, ${column}) AS ${as}`;

/**
 * The rows of call_facts matching `filter` (one row per request id of llm_calls FINAL), with the columns
 * every section reads: ts (epoch ms), ok / is_429, pm (model id), feature_s (feature as a plain String), fid
 * (feature id), known, cost (derive.ts §cost), streamed / non_streamed (stream true / false), n_blocks
 * (|prefix_hashes|), and the nearest neighbours the rules read (rules.ts), of the profile's source scope.
 */
export const callsWhere = (filter: string): string => `
  SELECT hour, ts, request_id, source, feature, provider, model, pair, user, status, invalid_reason, ingested_at, retention_days,
         status = 'ok' AS ok, status = '429' AS is_429, ${PM} AS pm, toString(feature) AS feature_s, ${FID} AS fid,
         input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
         latency_ms, ttft_ms, stream, coalesce(stream = 1, 0) AS streamed, coalesce(stream = 0, 0) AS non_streamed,
         max_tokens, attempt, prompt_hash, cost_nanousd, n_blocks,
         ${KNOWN} AS known,
         if(known, ifNull(cost_nanousd, 0), 0) AS cost,
         ${neighbour('dup_prev_ts', 'dup_prev')}, ${neighbour('near_prev_ts', 'near_prev')}, ${neighbour('near_prev_input', 'near_prev_in')},
         ${neighbour('retry_prev_ts', 'retry_prev')}, ${neighbour('retry_prev_429', 'retry_prev_was_429')}, ${neighbour('retry_fallback', 'retry_other_model')},
         ${neighbour('session_prev_ts', 'session_prev')}, ${neighbour('session_prev_input', 'session_prev_in')},
         ${neighbour('next_read_ts', 'next_read')}
  FROM call_facts
  WHERE ${filter}`;

/** The valid calls in scope. */
export const CALLS = callsWhere(`${IN_SCOPE} AND ${VALID}`);

/** derive.ts §buckets: floor(ts / unit) · unit, as Int64 (the same IEEE division the reference does). */
export const bucket = (unitMs: number): string => `toInt64(floor(ts / ${unitMs})) * ${unitMs}`;

/** derive.ts §status: timeout. */
export const IS_TIMEOUT = `status IN ('timeout', '408', '504', 'client_cancel')`;

/**
 * The levels at which quantileExact — the element at 0-based index floor(level · n), found by nth_element
 * rather than a sort — is the nearest rank max(1, ⌈p · n⌉) (1-based; distribution.ts) of p = 0.5, 0.95, 0.99:
 * p − 1e-10. Where p · n is a whole number the offset moves the index down to p · n − 1; elsewhere p · n is at
 * least 0.01 above its floor (p in hundredths), which the offset (1e-10 · n) does not reach below 10^8 values.
 */
const NEAREST_RANK_LEVELS = [0.5, 0.95, 0.99].map((p) => String(p - 1e-10)).join(', ');

/** The percentile (1: p50, 2: p95, 3: p99) of the distribution column `name` (0 when empty: guard with its count). */
export const percentileOf = (name: string, i: 1 | 2 | 3): string => `tupleElement(${name}, 2)[${i}]`;

/** Distribution of `value` over the group's rows matching `cond`, one tuple column (count, [p50, p95, p99], max). Exact. */
export function dist(name: string, value: string, cond = '1'): string {
  return `tuple(countIf(${cond}), quantilesExactIf(${NEAREST_RANK_LEVELS})(${value}, ${cond}), maxIf(${value}, ${cond})) AS ${name}`;
}

/** The array a `distOfArray` column `name` was computed from, for other columns of the same SELECT. */
export const valuesOf = (name: string): string => `_values_${name}`;

/** Distribution of the values of the Array expression `values`, as `dist`. */
export function distOfArray(name: string, values: string): string {
  const v = valuesOf(name);
  return `tuple(length(${values} AS ${v}), arrayReduce('quantilesExact(${NEAREST_RANK_LEVELS})', ${v}), arrayMax(${v})) AS ${name}`;
}

export type Row = Record<string, unknown>;

/**
 * Settings of the profile's and the rollups' queries.
 *   - No syntax_fuse_functions pass (sum, count and avg of one argument into sumCount): it takes time quadratic
 *     in a query's aggregates — 60 of the ~120 ms the 55-sum rollup read spent planning, on this machine —
 *     and could save far less when the query runs.
 *   - No JIT compilation: ClickHouse compiles an expression once it has seen it a few times, and these queries'
 *     literals (the parameters: org, window, pair and feature ids) change with every org and window; the
 *     compiling made the 2nd and 4th run of a 1M-call profile 1.4–1.5× the others here, and the steady state
 *     was no faster with it.
 */
export const QUERY_SETTINGS = {
  optimize_syntax_fuse_functions: 0,
  compile_expressions: 0,
  compile_aggregate_expressions: 0,
  compile_sort_description: 0,
} as const;

/** The rows of `query` (JSONEachRow) with its query parameters. */
export async function queryRows<T = Row>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: QUERY_SETTINGS });
  return rs.json<T>();
}

/**
 * The rows of `query` (its `columns`), sent back as one row holding an array per column: for results of
 * thousands of rows far less JSON to write and parse than a row each.
 */
export async function queryColumnar(ch: ClickHouseClient, query: string, params: ProfileParams, columns: readonly string[]): Promise<Row[]> {
  const [r] = await queryRows(ch, `SELECT ${columns.map((c) => `groupArray(${c}) AS all_${c}`).join(', ')} FROM (${query})`, params);
  const arrays = columns.map((c) => r?.[`all_${c}`]);
  if (!arrays.every(Array.isArray)) throw new Error('workload profile: a columnar result is not arrays');
  const cols = arrays as unknown[][];
  return Array.from({ length: cols[0]?.length ?? 0 }, (_, i) => Object.fromEntries(columns.map((c, j) => [c, cols[j]![i]])));
}

/** A numeric result column (64-bit integers arrive as strings; every value here stays below 2^53). */
export function num(row: Row, key: string): number {
  const v = row[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  throw new Error(`workload profile: column ${key} is not a number (${JSON.stringify(v)})`);
}

export function str(row: Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new Error(`workload profile: column ${key} is not a string`);
  return v;
}

/** A `dist` tuple column → Distribution. */
export function toDistribution(row: Row, key: string): Distribution {
  const t = row[key];
  const q = Array.isArray(t) ? t[1] : undefined;
  if (!Array.isArray(t) || t.length !== 3 || !Array.isArray(q) || q.length !== 3) throw new Error(`workload profile: column ${key} is not a distribution`);
  const count = Number(t[0]);
  if (count === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  return { count, p50: Number(q[0]), p95: Number(q[1]), p99: Number(q[2]), max: Number(t[2]) };
}

export function toCounts(row: Row): CallCounts & TokenSums {
  return {
    calls: num(row, 'n_calls'),
    ok_calls: num(row, 'n_ok'),
    error_calls: num(row, 'n_error'),
    status_429_calls: num(row, 'n_429'),
    timeout_calls: num(row, 'n_timeout'),
    cost_nanousd: num(row, 'sum_cost'),
    input_tokens: num(row, 'sum_input'),
    output_tokens: num(row, 'sum_output'),
    cached_input_tokens: num(row, 'sum_cached'),
    cache_write_tokens: num(row, 'sum_cache_write'),
    reasoning_tokens: num(row, 'sum_reasoning'),
  };
}

/** A (provider, model) pair: [PAIR_KEY, provider, model]. */
export type Pair = [string, string, string];

/** The ids of these pairs (each once) and features (each once), with each pair's catalog flag. */
export function modelIds(pairs: readonly Pair[], features: readonly string[], isKnown: (provider: string, model: string) => boolean): ModelIds {
  const ids = emptyIds();
  const seen = new Set<string>();
  for (const [key, provider, model] of pairs) {
    if (seen.has(key)) continue;
    seen.add(key);
    ids.pair_keys.push(key);
    ids.pair_ids.push(seen.size);
    ids.pairs_p.push(provider);
    ids.pairs_m.push(model);
    ids.pair_known.push(isKnown(provider, model) ? 1 : 0);
  }
  ids.features.push(...new Set(features));
  ids.feature_ids.push(...ids.features.map((_, i) => i + 1));
  return ids;
}

/** The names of a (fid, pm) group: segment_feature, segment_provider, segment_model (numeric keys group fastest). */
export const SEGMENT_NAMES = `{features:Array(String)}[fid] AS segment_feature, {pairs_p:Array(String)}[pm] AS segment_provider, {pairs_m:Array(String)}[pm] AS segment_model`;

/** Map key of a segment. */
export const segmentKey = (feature: string, provider: string, model: string): string => `${feature}\u0000${provider}\u0000${model}`;

/** JavaScript string order (what the reference sorts by). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
