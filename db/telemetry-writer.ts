// ClickHouse rows for telemetry: an engine `LlmCall` → an `llm_calls` row, a usage event → a
// `workload_events` row, and their JSONEachRow inserts. Columns follow migrations/clickhouse/0001–0002, 0004.
import { ClickHouseError, type ClickHouseSettings } from '@clickhouse/client-web';
import type { LlmCall } from '../engine/telemetry/record';
import type { ClickHouseClient } from './clickhouse';

export interface LlmCallRow {
  org_id: string;
  request_id: string;
  timestamp: string;
  ingested_at: string;
  retention_days: number;
  source: string;
  project: string;
  user: string;
  feature: string;
  api_key_id: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cache_write_1h_tokens: number;
  input_audio_tokens: number;
  cached_audio_tokens: number;
  input_image_tokens: number;
  cached_image_tokens: number;
  output_audio_tokens: number;
  output_image_tokens: number;
  web_searches: number;
  service_tier: string;
  latency_ms: number | null;
  ttft_ms: number | null;
  status: string;
  cost_nanousd: number | null;
  cost_from_source: 0 | 1;
  prompt_hash: string;
  prefix_hashes: string[];
  max_tokens: number | null;
  stream: 0 | 1 | null;
  region: string;
  attempt: number;
  trace_id: string;
  span_id: string;
  metadata: string;
}

export interface WorkloadEventRow {
  event_id: string;
  org_id: string;
  timestamp: string;
  user_id: string;
  event_type: string;
  event_data: string;
}

/** What the ingesting side knows about a call beyond the record itself. */
export interface CallContext {
  org_id: string;
  retention_days: number;
  /** Our API key that sent the call (or the gateway key that served it); null for signed-in users. */
  api_key_id: string | null;
  /** When the platform accepted the call (epoch ms): the ReplacingMergeTree version and the TTL start. */
  ingested_at: number;
}

/** Epoch ms → ClickHouse DateTime64(3) text in UTC ("2026-11-23 08:00:00.000"). */
export function chDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function toCallRow(call: LlmCall, ctx: CallContext): LlmCallRow {
  return {
    org_id: ctx.org_id,
    request_id: call.request_id,
    timestamp: chDateTime(call.timestamp),
    ingested_at: chDateTime(ctx.ingested_at),
    retention_days: ctx.retention_days,
    source: call.source,
    project: call.project ?? '',
    user: call.user ?? '',
    feature: call.feature ?? '',
    // the source's own key (LiteLLM key hash, OpenAI key id) says more about the traffic than the key that uploaded it
    api_key_id: call.api_key ?? ctx.api_key_id ?? '',
    provider: call.provider,
    model: call.model,
    input_tokens: call.input_tokens,
    output_tokens: call.output_tokens,
    cached_input_tokens: call.cached_input_tokens,
    cache_write_tokens: call.cache_write_tokens,
    reasoning_tokens: call.reasoning_tokens,
    cache_write_1h_tokens: call.cache_write_1h_tokens ?? 0,
    input_audio_tokens: call.input_audio_tokens ?? 0,
    cached_audio_tokens: call.cached_audio_tokens ?? 0,
    input_image_tokens: call.input_image_tokens ?? 0,
    cached_image_tokens: call.cached_image_tokens ?? 0,
    output_audio_tokens: call.output_audio_tokens ?? 0,
    output_image_tokens: call.output_image_tokens ?? 0,
    web_searches: call.web_searches ?? 0,
    service_tier: call.service_tier ?? '',
    latency_ms: call.latency_ms,
    ttft_ms: call.ttft_ms,
    status: call.status,
    cost_nanousd: call.cost_nanousd,
    cost_from_source: call.cost_from_source ? 1 : 0,
    prompt_hash: call.prompt_hash ?? '',
    prefix_hashes: call.prefix_hashes,
    max_tokens: call.max_tokens,
    stream: call.stream === null ? null : call.stream ? 1 : 0,
    region: call.region ?? '',
    attempt: call.attempt,
    trace_id: call.trace_id ?? '',
    span_id: call.span_id ?? '',
    metadata: JSON.stringify(call.metadata),
  };
}

export interface UsageEvent {
  event_id: string;
  org_id: string;
  user_id: string | null;
  event_type: string;
  data: Record<string, unknown>;
  timestamp: number;
}

export function toEventRow(e: UsageEvent): WorkloadEventRow {
  return {
    event_id: e.event_id,
    org_id: e.org_id,
    timestamp: chDateTime(e.timestamp),
    user_id: e.user_id ?? '',
    event_type: e.event_type,
    event_data: JSON.stringify(e.data),
  };
}

/** Monthly partitions (PARTITION BY toYYYYMM(timestamp)) one insert may touch. */
export const MAX_PARTITIONS_PER_INSERT = 100;

/** The partition of a row: its month, "YYYY-MM" of the DateTime64 text. */
export const partitionOf = (row: { timestamp: string }) => row.timestamp.slice(0, 7);

export type TelemetryTable = 'llm_calls' | 'workload_events';

/**
 * Settings of a telemetry insert. With a `dedupToken`, ClickHouse drops a block it has already stored under the
 * same token (in the table and in its materialized views): re-sending a batch whose acknowledgement was lost
 * is then harmless.
 */
function insertSettings(dedupToken?: string): ClickHouseSettings {
  return {
    // ClickHouse's own default: a block touching more monthly partitions is refused (TOO_MANY_PARTS) and the
    // buffer splits it by month (every partition is a part written at once: hundreds in one insert stall it).
    max_partitions_per_insert_block: String(MAX_PARTITIONS_PER_INSERT),
    ...(dedupToken ? { insert_deduplicate: 1, deduplicate_blocks_in_dependent_materialized_views: 1, insert_deduplication_token: dedupToken } : {}),
  };
}

/** Inserts rows as one JSONEachRow block (see insertSettings for `dedupToken`). */
export async function insertRows(ch: ClickHouseClient, table: TelemetryTable, rows: ReadonlyArray<LlmCallRow | WorkloadEventRow>, dedupToken?: string): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: insertSettings(dedupToken) });
}

/**
 * Inserts rows that are already JSON text (one object per string, as the IngestBuffer stores them) as one
 * JSONEachRow block, without parsing and re-serializing them: the body is the INSERT and the lines.
 */
export async function insertJsonLines(ch: ClickHouseClient, table: TelemetryTable, lines: readonly string[], dedupToken?: string): Promise<void> {
  if (lines.length === 0) return;
  await ch.command({ query: `INSERT INTO ${table} FORMAT JSONEachRow\n${lines.join('\n')}`, clickhouse_settings: insertSettings(dedupToken) });
}

/** ClickHouse error codes that mean "these rows are bad" (parsing, types, ranges): retrying cannot help. */
const DATA_ERROR_CODES = new Set(['6', '26', '27', '38', '41', '53', '69', '70', '72', '117', '131', '321']);
/** TOO_MANY_PARTS: an overload (retry later), unless it says the block touches too many partitions. */
const TOO_MANY_PARTS = '252';

/** Why ClickHouse refused a block for good (a retry of the same block cannot succeed), or null for an outage / overload. */
export function refusal(err: unknown): 'bad_rows' | 'too_many_partitions' | null {
  if (!(err instanceof ClickHouseError)) return null;
  if (DATA_ERROR_CODES.has(err.code)) return 'bad_rows';
  return err.code === TOO_MANY_PARTS && /too many partitions/i.test(err.message) ? 'too_many_partitions' : null;
}
