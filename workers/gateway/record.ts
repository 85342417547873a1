// After every gateway call (in the background, never delaying the answer): the LLM call record through the
// ingestion path (the org's IngestBuffer, as imports go), and under an active policy rule its ledger entry, then
// the policy's canary check. Both are batched (workers/lib/batch.ts): the calls of one key within BATCH_MS go in
// one append, the ledger entries of one policy in one insert followed by one canary check.
import { savingsLedger } from '../../db/schema';
import type { LlmCall } from '../../engine/telemetry/record';
import { log } from '../../common/logger';
import { batcher } from '../lib/batch';
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

const BATCH_MS = 50;
const BATCH_MAX = 500;
/** Waits before the ledger insert is tried again (Postgres briefly unreachable); then the batch is logged as lost. */
const LEDGER_RETRY_MS = [250, 1_000];

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Calls of one org, key and tier (what the rows carry from the caller) go to ingestion in one append. */
const queueCall = batcher<{ env: Env; auth: Auth; call: LlmCall }>(BATCH_MS, BATCH_MAX, async (items) => {
  const { env, auth } = items[0]!;
  const calls = items.map((i) => i.call);
  await submit(env, auth, { calls }).catch((err: unknown) => log('error', 'gateway calls not recorded', { request_ids: calls.map((c) => c.request_id), error: errorText(err) }));
});

type LedgerRow = typeof savingsLedger.$inferInsert;

/** Ledger entries of one org and policy go in one insert, then the policy's canary judges once. */
const queueLedger = batcher<{ env: Env; org_id: string; policy: ActivePolicy; row: LedgerRow }>(BATCH_MS, BATCH_MAX, async (items) => {
  const { env, org_id, policy } = items[items.length - 1]!;
  const rows = items.map((i) => i.row);
  const stores = createServices(env);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await stores.db().insert(savingsLedger).values(rows).onConflictDoNothing();
        break;
      } catch (err) {
        const wait = LEDGER_RETRY_MS[attempt];
        if (wait === undefined) return log('error', 'savings ledger entries not written', { request_ids: rows.map((r) => r.id), error: errorText(err) });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    await checkCanary(stores, org_id, policy).catch((err: unknown) => log('error', 'canary check failed', { policy_id: policy.id, error: errorText(err) }));
  } finally {
    await stores.close();
  }
});

function ledgerRow(auth: Auth, o: GatewayOutcome, policy: ActivePolicy, ruleId: string, arm: Arm): LedgerRow {
  return {
    id: o.request_id,
    org_id: auth.org_id,
    policy_id: policy.id,
    policy_version: policy.version,
    rule_id: ruleId,
    arm,
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
  };
}

/** Queues the call's record (and under a rule its ledger entry); resolves once their batches are written. */
export function recordOutcome(env: Env, auth: Auth, o: GatewayOutcome): Promise<void> {
  const telemetry = queueCall(`${auth.org_id}\u0000${auth.key_id ?? auth.user_id ?? ''}\u0000${auth.tier}`, { env, auth, call: llmCall(o) });
  const { policy, rule_id, arm } = o;
  if (!policy || !rule_id || !arm) return telemetry;
  const ledger = queueLedger(`${auth.org_id}\u0000${policy.id}`, { env, org_id: auth.org_id, policy, row: ledgerRow(auth, o, policy, rule_id, arm) });
  return Promise.all([telemetry, ledger]).then(() => {});
}
