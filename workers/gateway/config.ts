// What the gateway needs per org on every request — its upstream keys (ciphertext) and its active policy —
// cached so the hot path makes no Postgres round trip: this isolate's memory (MEMORY_TTL_MS), then Redis
// (REDIS_TTL_S), then Postgres. Writes call invalidateGatewayConfig; other isolates see them within the TTLs.
import { and, eq } from 'drizzle-orm';
import { gatewayPolicies, gatewayProviderKeys } from '../../db/schema';
import type { GatewayPolicy } from '../../engine/tools/policy/policy';
import type { Stores } from '../auth/stores';
import { log } from '../../common/logger';

export type UpstreamApi = 'openai' | 'anthropic' | 'gemini';

export interface UpstreamKey {
  id: string;
  provider: string;
  api: UpstreamApi;
  base_url: string;
  ciphertext: string;
  iv: string;
}

export interface CanaryThresholds {
  /** Calls each arm needs before the canary judges. */
  min_calls: number;
  /** Roll back when treated error rate − control error rate exceeds this. */
  max_error_rate_increase: number;
  /** Roll back when treated mean latency / control mean latency exceeds this. */
  max_latency_ratio: number;
}

export interface ActivePolicy {
  id: string;
  version: number;
  policy: GatewayPolicy;
  control_share: number;
  canary: CanaryThresholds;
  upstream_timeout_ms: number;
}

export interface OrgGatewayConfig {
  keys: UpstreamKey[];
  policy: ActivePolicy | null;
}

const MEMORY_TTL_MS = 5_000;
const REDIS_TTL_S = 60;
const memory = new Map<string, { at: number; config: OrgGatewayConfig }>();
const redisKey = (orgId: string) => `gw:cfg:${orgId}`;

async function fromPostgres(stores: Stores, orgId: string): Promise<OrgGatewayConfig> {
  const db = stores.db();
  const [keys, [policy]] = await Promise.all([
    db
      .select({ id: gatewayProviderKeys.id, provider: gatewayProviderKeys.provider, api: gatewayProviderKeys.api, base_url: gatewayProviderKeys.base_url, ciphertext: gatewayProviderKeys.ciphertext, iv: gatewayProviderKeys.iv })
      .from(gatewayProviderKeys)
      .where(eq(gatewayProviderKeys.org_id, orgId)),
    db
      .select({ id: gatewayPolicies.id, version: gatewayPolicies.version, policy: gatewayPolicies.policy, control_share: gatewayPolicies.control_share, canary: gatewayPolicies.canary, upstream_timeout_ms: gatewayPolicies.upstream_timeout_ms })
      .from(gatewayPolicies)
      .where(and(eq(gatewayPolicies.org_id, orgId), eq(gatewayPolicies.status, 'active')))
      .limit(1),
  ]);
  return { keys, policy: policy ?? null };
}

async function load(stores: Stores, orgId: string): Promise<OrgGatewayConfig> {
  let config: OrgGatewayConfig | null = null;
  let redisUp = true;
  try {
    config = await stores.redis().get<OrgGatewayConfig>(redisKey(orgId));
  } catch {
    redisUp = false;
    log('warn', 'redis unreachable: gateway config read from postgres');
  }
  if (!config) {
    config = await fromPostgres(stores, orgId);
    if (redisUp) await stores.redis().set(redisKey(orgId), config, { ex: REDIS_TTL_S }).catch(() => {});
  }
  return config;
}

/** One load per org at a time in this isolate: a burst of requests after expiry shares it. */
const inflight = new Map<string, Promise<OrgGatewayConfig>>();

export async function loadGatewayConfig(stores: Stores, orgId: string): Promise<OrgGatewayConfig> {
  const mem = memory.get(orgId);
  if (mem && Date.now() - mem.at < MEMORY_TTL_MS) return mem.config;
  let pending = inflight.get(orgId);
  if (!pending) {
    pending = load(stores, orgId)
      .then((config) => (memory.set(orgId, { at: Date.now(), config }), config))
      .finally(() => inflight.delete(orgId));
    inflight.set(orgId, pending);
  }
  return pending;
}

/** After a provider key or policy changes: drop this isolate's copy and the shared one. */
export async function invalidateGatewayConfig(stores: Stores, orgId: string): Promise<void> {
  memory.delete(orgId);
  inflight.delete(orgId);
  await stores
    .redis()
    .del(redisKey(orgId))
    .catch(() => log('warn', 'redis unreachable: gateway config may stay cached', { ttl_s: REDIS_TTL_S }));
}
