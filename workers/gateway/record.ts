// After every gateway call (in the background, never delaying the answer): the LLM call record through the
// ingestion path (the org's IngestBuffer, as imports go; the calls of one key within RECORD_BATCH_MS go in one
// append), and under an active policy rule its ledger entry, then the policy's canary check.
import { savingsLedger } from '../../db/schema';
import type { LlmCall } from '../../engine/telemetry/record';
import { log } from '../../common/logger';
import { createServices, type Auth } from '../lib/services';
import { submit } from '../ingest/submit';
import type { Arm } from './arms';
import { checkCanary } from './canary';
import type { ActivePolicy } from './config';
import type { Usage } from './wire';

export interface GatewayOutcome {
  request_id: string;
  started_at: number;
  feature: string;
  end_user: string;
  requested: { provider: string; model: string };
  served: { provider: string; model: string };
  usage: Usage;
  status: string;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  max_tokens: number | null;
  attempt: number;
  prompt_hash: string | null;
  cache_hit: boolean;
  fallback: boolean;
  actual_nanousd: number;
  counterfactual_nanousd: number;
  policy: ActivePolicy | null;
  rule_id: string | null;
  arm: Arm | null;
  routed: boolean;
}

function llmCall(o: GatewayOutcome): LlmCall {
  return {
    request_id: o.request_id,
    timestamp: o.started_at,
    ...(o.end_user ? { user: o.end_user } : {}),
    ...(o.feature ? { feature: o.feature } : {}),
    provider: o.served.provider,
    model: o.served.model,
    ...o.usage,
    latency_ms: o.latency_ms,
    ttft_ms: o.ttft_ms,
    status: o.status,
    cost_nanousd: o.actual_nanousd,
    cost_from_source: false,
    prompt_hash: o.prompt_hash,
    prefix_hashes: [],
    max_tokens: o.max_tokens,
    stream: o.stream,
    region: null,
    attempt: o.attempt,
    trace_id: null,
    span_id: null,
    metadata: {
      gateway: true,
      cache_hit: o.cache_hit,
      fallback: o.fallback,
      routed: o.routed,
      requested_model: o.requested.model,
      ...(o.policy ? { policy_id: o.policy.id, policy_version: o.policy.version } : {}),
      ...(o.rule_id ? { rule_id: o.rule_id, arm: o.arm } : {}),
    },
    source: 'gateway',
  };
}

const RECORD_BATCH_MS = 50;
const RECORD_BATCH_MAX = 500;
/** Calls waiting for their append, per org, key and tier (what the rows carry from the caller). */
const pending = new Map<string, { calls: LlmCall[]; sent: Promise<void> }>();

/** Queues a call for the next append of its key's batch; resolves once that append is stored (or failed, logged). */
function submitBatched(env: Env, auth: Auth, call: LlmCall): Promise<void> {
  const key = `${auth.org_id}\u0000${auth.key_id ?? auth.user_id ?? ''}\u0000${auth.tier}`;
  let batch = pending.get(key);
  if (!batch || batch.calls.length >= RECORD_BATCH_MAX) {
    const calls: LlmCall[] = [];
    const sent = new Promise((resolve) => setTimeout(resolve, RECORD_BATCH_MS))
      .then(() => {
        if (pending.get(key)?.calls === calls) pending.delete(key);
        return submit(env, auth, { calls });
      })
      .then(
        () => {},
        (err: unknown) => log('error', 'gateway calls not recorded', { request_ids: calls.map((c) => c.request_id), error: err instanceof Error ? err.message : String(err) }),
      );
    batch = { calls, sent };
    pending.set(key, batch);
  }
  batch.calls.push(call);
  return batch.sent;
}

export async function recordOutcome(env: Env, auth: Auth, o: GatewayOutcome): Promise<void> {
  const telemetry = submitBatched(env, auth, llmCall(o));
  if (!o.policy || !o.rule_id || !o.arm) return void (await telemetry);
  const stores = createServices(env);
  try {
    await stores
      .db()
      .insert(savingsLedger)
      .values({
        id: o.request_id,
        org_id: auth.org_id,
        policy_id: o.policy.id,
        policy_version: o.policy.version,
        rule_id: o.rule_id,
        arm: o.arm,
        api_key_id: auth.key_id,
        feature: o.feature,
        end_user: o.end_user,
        requested_model: o.requested.model,
        served_provider: o.served.provider,
        served_model: o.served.model,
        actual_nanousd: o.actual_nanousd,
        counterfactual_nanousd: o.counterfactual_nanousd,
        cache_hit: o.cache_hit,
        fallback: o.fallback,
        status: o.status,
        latency_ms: Math.round(o.latency_ms),
      })
      .onConflictDoNothing();
    await checkCanary(stores, auth.org_id, o.policy);
  } catch (err) {
    log('error', 'savings ledger entry not written', { request_id: o.request_id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    await telemetry;
    await stores.close();
  }
}
