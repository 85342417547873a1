// Hands validated calls (and the usage event that describes them) to the org's IngestBuffer Durable Object.
// When this returns, they are stored durably; ClickHouse gets them from the buffer's alarm.
import type { AppendResult } from '../../durable-objects/ingest-buffer';
import type { LlmCall } from '../../engine/telemetry/record';
import { toCallRow, toEventRow, type UsageEvent } from '../../db/telemetry-writer';
import { tierLimits } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import type { Auth } from '../lib/services';

export function ingestBuffer(env: Env, orgId: string) {
  return env.INGEST_BUFFER.get(env.INGEST_BUFFER.idFromName(orgId));
}

export interface Submission {
  calls: LlmCall[];
  /** The platform usage event of this submission (workload_events), stored with the calls. */
  event?: Pick<UsageEvent, 'event_id' | 'event_type' | 'data'>;
  /** Stores the batch's response under its Idempotency-Key, atomically with the calls. */
  idempotency?: { key: string; body_hash: string; response: Record<string, unknown> };
}

export async function submit(env: Env, auth: Auth, s: Submission): Promise<AppendResult> {
  const now = Date.now();
  const ctx = { org_id: auth.org_id, retention_days: tierLimits(auth.tier).retention_days, api_key_id: auth.key_id, ingested_at: now };
  const calls = s.calls.map((call) => ({ id: call.request_id, json: JSON.stringify(toCallRow(call, ctx)) }));
  const events = s.event
    ? [{ id: s.event.event_id, json: JSON.stringify(toEventRow({ ...s.event, org_id: auth.org_id, user_id: auth.user_id, timestamp: now })) }]
    : [];
  try {
    return await ingestBuffer(env, auth.org_id).append({ calls, events, idempotency: s.idempotency });
  } catch (err) {
    log('error', 'ingest buffer unavailable', { org_id: auth.org_id, error: err instanceof Error ? err.message : String(err) });
    throw new ApiError('dependency_unavailable', 'ingestion is unavailable right now; nothing was stored — retry (with the same Idempotency-Key)');
  }
}
