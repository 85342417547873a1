// An explicit recompute of stored call costs in a window under the prices in force now (catalog + the org's
// rules): the one way past costs change. Calls whose cost came from the source are left alone. Changed costs
// are rewritten in place (a ClickHouse mutation, so the insert-driven hourly rollups are not double counted).
import type { PriceBook } from '../engine/catalog/index';
import { callUsage } from '../engine/telemetry/usage';
import type { ClickHouseClient } from './clickhouse';
import { chDateTime, type LlmCallRow } from './telemetry-writer';

/** Calls one recompute may touch (a larger window is refused: split it). */
export const MAX_RECOMPUTE_CALLS = 200_000;
const UPDATE_CHUNK = 5_000;

/** An llm_calls row as read back for repricing (64-bit cost as text, timestamp as epoch-ms text). */
type StoredCall = Pick<
  LlmCallRow,
  | 'request_id' | 'provider' | 'model' | 'input_tokens' | 'output_tokens' | 'cached_input_tokens' | 'cache_write_tokens'
  | 'reasoning_tokens' | 'cache_write_1h_tokens' | 'input_audio_tokens' | 'cached_audio_tokens' | 'input_image_tokens'
  | 'cached_image_tokens' | 'output_audio_tokens' | 'output_image_tokens' | 'web_searches' | 'service_tier' | 'metadata'
> & { ts: string; cost_nanousd: string | null };

export interface RecomputeResult {
  calls: number;
  changed_calls: number;
  cost_before_nanousd: number;
  cost_after_nanousd: number;
}

export class RecomputeTooLarge extends Error {}

const WINDOW = `org_id = {org:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND cost_from_source = 0`;

export async function recomputeCosts(ch: ClickHouseClient, orgId: string, from: Date, to: Date, book: PriceBook): Promise<RecomputeResult> {
  const params = { org: orgId, from: chDateTime(from.getTime()), to: chDateTime(to.getTime()) };
  const [count] = await (await ch.query({ query: `SELECT count() AS n FROM llm_calls FINAL WHERE ${WINDOW}`, query_params: params, format: 'JSONEachRow' })).json<{ n: string }>();
  if (Number(count?.n ?? 0) > MAX_RECOMPUTE_CALLS) throw new RecomputeTooLarge(`the window holds more than ${MAX_RECOMPUTE_CALLS} calls: recompute a shorter one`);
  const rows = await (
    await ch.query({
      query: `SELECT request_id, toString(toUnixTimestamp64Milli(timestamp)) AS ts, provider, model, input_tokens, output_tokens,
                     cached_input_tokens, cache_write_tokens, reasoning_tokens, cache_write_1h_tokens, input_audio_tokens,
                     cached_audio_tokens, input_image_tokens, cached_image_tokens, output_audio_tokens, output_image_tokens,
                     web_searches, service_tier, metadata, cost_nanousd
              FROM llm_calls FINAL WHERE ${WINDOW}`,
      query_params: params,
      format: 'JSONEachRow',
    })
  ).json<StoredCall>();

  let before = 0;
  let after = 0;
  const ids: string[] = [];
  const costs: (number | null)[] = [];
  for (const r of rows) {
    const old = r.cost_nanousd === null ? null : Number(r.cost_nanousd);
    const metadata = JSON.parse(r.metadata || '{}') as Record<string, unknown>;
    const priced = book.price(r.provider, r.model, callUsage({ ...r, timestamp: Number(r.ts), service_tier: r.service_tier || null, metadata }));
    const now = priced?.nano ?? null;
    before += old ?? 0;
    after += now ?? 0;
    if (now !== old) {
      ids.push(r.request_id);
      costs.push(now);
    }
  }
  for (let i = 0; i < ids.length; i += UPDATE_CHUNK) {
    await ch.command({
      query: `ALTER TABLE llm_calls UPDATE cost_nanousd = transform(request_id, {ids:Array(String)}, {costs:Array(Nullable(Int64))}, cost_nanousd)
              WHERE org_id = {org:String} AND request_id IN {ids:Array(String)}`,
      query_params: { org: orgId, ids: ids.slice(i, i + UPDATE_CHUNK), costs: costs.slice(i, i + UPDATE_CHUNK) },
      clickhouse_settings: { mutations_sync: '1' },
    });
  }
  return { calls: rows.length, changed_calls: ids.length, cost_before_nanousd: before, cost_after_nanousd: after };
}
