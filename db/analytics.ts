// Telemetry analytics over `llm_calls FINAL` (exact: one row per request id), always scoped to one org.
// Parameterized SQL only; the few identifiers that vary (group-by column, metric, bucket) come from fixed maps.
// Money is summed in integer nano-USD and converted to USD once, exactly, at the end.
import type { ClickHouseClient } from './clickhouse';
import { chDateTime } from './telemetry-writer';

export interface Window {
  org_id: string;
  /** Inclusive start; absent = from the org's first call. */
  from?: Date;
  /** Exclusive end; absent = up to the org's last call. */
  to?: Date;
  /** Only calls of this source ("api", "otlp", "import:imp_…"). */
  source?: string;
}

// DateTime64(3) spans 1900–2299: these bounds stand for "no bound".
const MIN_TIME = '1900-01-01 00:00:00.000';
const MAX_TIME = '2299-12-31 23:59:59.999';

const WHERE = `org_id = {org:String}
  AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({source:String} = '' OR source = {source:String})`;

function params(w: Window) {
  return { org: w.org_id, from: w.from ? chDateTime(w.from.getTime()) : MIN_TIME, to: w.to ? chDateTime(w.to.getTime()) : MAX_TIME, source: w.source ?? '' };
}

async function rows<T>(ch: ClickHouseClient, query: string, w: Window, extra: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.query({ query, query_params: { ...params(w), ...extra }, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Integer nano-USD (as ClickHouse sends 64-bit integers: a string) → USD, rounded once. */
export function nanoToUsdExact(nano: string | number): number {
  const n = BigInt(nano);
  const abs = n < 0n ? -n : n;
  const text = `${n < 0n ? '-' : ''}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
  return Number(text);
}

/** A quantile of no values comes back as NaN (null in JSON): report it as null. */
const quantile = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface Summary {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_usd: number;
  /** Calls whose cost is unknown (model not in the catalog and no cost in the source). */
  unpriced_calls: number;
  error_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  first_call_at: string | null;
  last_call_at: string | null;
}

export async function summary(ch: ClickHouseClient, w: Window): Promise<Summary> {
  const [r] = await rows<Record<string, string | number | number[] | null>>(
    ch,
    `SELECT count() AS calls,
            sum(toUInt64(input_tokens)) AS sum_input,
            sum(toUInt64(output_tokens)) AS sum_output,
            sum(toUInt64(cached_input_tokens)) AS sum_cached,
            sum(ifNull(cost_nanousd, 0)) AS cost_nano,
            countIf(cost_nanousd IS NULL) AS unpriced,
            countIf(status != 'ok') AS errors,
            quantiles(0.5, 0.95)(latency_ms) AS latency,
            if(count() = 0, NULL, toUnixTimestamp64Milli(min(timestamp))) AS first_ms,
            if(count() = 0, NULL, toUnixTimestamp64Milli(max(timestamp))) AS last_ms
     FROM llm_calls FINAL WHERE ${WHERE}`,
    w,
  );
  const calls = Number(r?.calls ?? 0);
  const latency = (r?.latency as Array<number | null> | undefined) ?? [];
  const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
  return {
    calls,
    input_tokens: Number(r?.sum_input ?? 0),
    output_tokens: Number(r?.sum_output ?? 0),
    cached_input_tokens: Number(r?.sum_cached ?? 0),
    cost_usd: nanoToUsdExact((r?.cost_nano as string | undefined) ?? 0),
    unpriced_calls: Number(r?.unpriced ?? 0),
    error_rate: calls > 0 ? Number(r?.errors ?? 0) / calls : null,
    latency_p50_ms: quantile(latency[0]),
    latency_p95_ms: quantile(latency[1]),
    first_call_at: iso(r?.first_ms),
    last_call_at: iso(r?.last_ms),
  };
}

export const BUCKETS = ['hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const METRICS = ['cost', 'calls', 'tokens', 'errors'] as const;
export type Metric = (typeof METRICS)[number];

const BUCKET_SQL: Record<Bucket, { start: string; step: string }> = {
  hour: { start: 'toStartOfHour(timestamp)', step: 'toIntervalHour(1)' },
  day: { start: 'toStartOfDay(timestamp)', step: 'toIntervalDay(1)' },
};

const METRIC_SQL: Record<Metric, string> = {
  cost: 'sum(ifNull(cost_nanousd, 0))',
  calls: 'count()',
  tokens: 'sum(toUInt64(input_tokens) + output_tokens)',
  errors: "countIf(status != 'ok')",
};

export interface Point {
  t: string;
  value: number;
}

/** One point per bucket from the first to the last bucket with data (empty buckets are 0). */
export async function timeseries(ch: ClickHouseClient, w: Window, bucket: Bucket, metric: Metric): Promise<Point[]> {
  const b = BUCKET_SQL[bucket];
  const result = await rows<{ t: string; value: string | number }>(
    ch,
    `SELECT ${b.start} AS t, ${METRIC_SQL[metric]} AS value
     FROM llm_calls FINAL WHERE ${WHERE}
     GROUP BY t ORDER BY t WITH FILL STEP ${b.step}`,
    w,
  );
  // t is a DateTime('UTC') as text: "2026-11-23 08:00:00".
  return result.map((r) => ({
    t: new Date(`${r.t.replace(' ', 'T')}Z`).toISOString(),
    value: metric === 'cost' ? nanoToUsdExact(r.value) : Number(r.value),
  }));
}

export const DIMENSIONS = ['model', 'provider', 'feature', 'user', 'key'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const DIMENSION_SQL: Record<Dimension, string> = { model: 'model', provider: 'provider', feature: 'feature', user: 'user', key: 'api_key_id' };

export interface BreakdownItem {
  /** The model / provider / feature / user / API key id ("" when the calls did not say). */
  name: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  error_rate: number;
  /** Share of the window's cost (0–1), null when the window cost nothing. */
  cost_share: number | null;
}

/** Groups by one dimension, most expensive first (then most calls). */
export async function breakdown(ch: ClickHouseClient, w: Window, by: Dimension, limit: number): Promise<BreakdownItem[]> {
  const col = DIMENSION_SQL[by];
  const result = await rows<Record<string, string>>(
    ch,
    `SELECT ${col} AS name, count() AS calls,
            sum(toUInt64(input_tokens)) AS sum_input, sum(toUInt64(output_tokens)) AS sum_output,
            sum(ifNull(cost_nanousd, 0)) AS cost_nano, countIf(status != 'ok') AS errors,
            sum(sum(ifNull(llm_calls.cost_nanousd, 0))) OVER () AS total_nano
     FROM llm_calls FINAL WHERE ${WHERE}
     GROUP BY name ORDER BY cost_nano DESC, calls DESC, name LIMIT {limit:UInt32}`,
    w,
    { limit },
  );
  return result.map((r) => {
    const total = BigInt(r.total_nano ?? '0');
    return {
      name: r.name ?? '',
      calls: Number(r.calls),
      input_tokens: Number(r.sum_input),
      output_tokens: Number(r.sum_output),
      cost_usd: nanoToUsdExact(r.cost_nano ?? '0'),
      error_rate: Number(r.errors) / Number(r.calls),
      cost_share: total > 0n ? Number(BigInt(r.cost_nano ?? '0')) / Number(total) : null,
    };
  });
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface LatencyItem {
  model: string;
  provider: string;
  calls: number;
  latency_ms: Percentiles;
  ttft_ms: Percentiles;
}

/** Per model: latency and time-to-first-token percentiles over the calls that reported them. */
export async function latency(ch: ClickHouseClient, w: Window): Promise<LatencyItem[]> {
  const result = await rows<{ model: string; provider: string; calls: string; latency: Array<number | null>; ttft: Array<number | null> }>(
    ch,
    `SELECT model, provider, count() AS calls,
            quantiles(0.5, 0.95, 0.99)(latency_ms) AS latency,
            quantiles(0.5, 0.95, 0.99)(ttft_ms) AS ttft
     FROM llm_calls FINAL WHERE ${WHERE}
     GROUP BY model, provider ORDER BY calls DESC, model, provider`,
    w,
  );
  const pct = (q: Array<number | null>): Percentiles => ({ p50: quantile(q[0]), p95: quantile(q[1]), p99: quantile(q[2]) });
  return result.map((r) => ({ model: r.model, provider: r.provider, calls: Number(r.calls), latency_ms: pct(r.latency), ttft_ms: pct(r.ttft) }));
}
