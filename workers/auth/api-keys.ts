// API keys: `nak_<43 chars>` secrets shown once, stored as SHA-256 with a public prefix. Look-ups are
// cached in Redis (hash → principal JSON, short TTL) and fall back to Postgres when Redis is unreachable.
// This isolate also remembers the keys it verified (verifiedPrincipal): for KEY_MEMORY_TTL_MS they
// authenticate from memory while a background look-up re-verifies them at most every RECHECK_MS. A deleted
// key is refused at once by the isolate that deleted it, and by the others after their next re-check: within
// about RECHECK_MS plus the requests already admitted, and never later than KEY_MEMORY_TTL_MS.
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { apiKeys, orgs } from '../../db/schema';
import { log } from '../../common/logger';
import { randomSecret, sha256Hex } from './secrets';
import type { Stores } from './stores';
import type { Tier } from '../../engine/tiers';

export const API_KEY_SCOPES = ['ingest', 'read', 'gateway'] as const;
export type KeyScope = (typeof API_KEY_SCOPES)[number];

export const KEY_CACHE_TTL_S = 60;
/** last_used_at is written at most once per this many seconds per key. */
const TOUCH_INTERVAL_S = 60;
const KEY_FORMAT = /^nak_[\w-]{43}$/;
const PREFIX_CHARS = 12;

const cacheKey = (hash: string) => `auth:key:${hash}`;

export const KEY_MEMORY_TTL_MS = 10_000;
export const RECHECK_MS = 1_000;
const RECENT_MAX = 10_000;
/** at: when a look-up last confirmed the key; checking: when a background re-check was last started. */
const recent = new Map<string, { at: number; checking: number; principal: KeyPrincipal }>();
/** Keys whose last_used_at this isolate wrote (or saw gated) lately: no Redis gate call before then. */
const touched = new Map<string, number>();

/** What a valid key authenticates as: the same shape as `Auth` of workers/lib/services.ts. */
export interface KeyPrincipal {
  kind: 'key';
  org_id: string;
  user_id: string | null;
  key_id: string;
  role: null;
  tier: Tier;
  scopes: KeyScope[];
}

export const isApiKeyLike = (token: string) => token.startsWith('nak_');

export async function generateApiKey(): Promise<{ key: string; prefix: string; hash: string }> {
  const key = `nak_${randomSecret()}`;
  return { key, prefix: key.slice(0, PREFIX_CHARS), hash: await sha256Hex(key) };
}

async function fromCache(stores: Stores, hash: string): Promise<KeyPrincipal | null | undefined> {
  try {
    return await stores.redis().get<KeyPrincipal>(cacheKey(hash));
  } catch {
    log('warn', 'redis unreachable: API key looked up in postgres');
    return undefined;
  }
}

async function fromPostgres(stores: Stores, hash: string): Promise<KeyPrincipal | null> {
  const [row] = await stores
    .db()
    .select({ key_id: apiKeys.id, org_id: apiKeys.org_id, user_id: apiKeys.created_by, scopes: apiKeys.scopes, tier: orgs.tier })
    .from(apiKeys)
    .innerJoin(orgs, eq(orgs.id, apiKeys.org_id))
    .where(and(eq(apiKeys.key_hash, hash), isNull(apiKeys.revoked_at)))
    .limit(1);
  if (!row) return null;
  const scopes = row.scopes.filter((s): s is KeyScope => (API_KEY_SCOPES as readonly string[]).includes(s));
  return { kind: 'key', org_id: row.org_id, user_id: row.user_id, key_id: row.key_id, role: null, tier: row.tier, scopes };
}

/** Hashes of the keys presented lately: a key's hash never changes, and every request of a key needs it (the keys
 *  stay in this isolate's memory, as the decrypted provider keys of workers/gateway/targets.ts do). */
const hashes = new Map<string, string>();

/** The SHA-256 a key is stored under, or null when the token cannot be a key. */
export async function apiKeyHash(key: string): Promise<string | null> {
  if (!KEY_FORMAT.test(key)) return null;
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = await sha256Hex(key);
    if (hashes.size >= RECENT_MAX) hashes.clear();
    hashes.set(key, hash);
  }
  return hash;
}

/**
 * The principal a look-up confirmed for `hash` within KEY_MEMORY_TTL_MS, or null. `recheck` tells the caller
 * to re-verify it in the background now (lookupApiKeyHash), which happens at most every RECHECK_MS.
 */
export function verifiedPrincipal(hash: string): { principal: KeyPrincipal; recheck: boolean } | null {
  const hit = recent.get(hash);
  if (!hit) return null;
  const now = Date.now();
  if (now - hit.at >= KEY_MEMORY_TTL_MS) {
    recent.delete(hash);
    return null;
  }
  const recheck = now - Math.max(hit.at, hit.checking) >= RECHECK_MS;
  if (recheck) hit.checking = now;
  return { principal: hit.principal, recheck };
}

function remember(hash: string, principal: KeyPrincipal): void {
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(hash, { at: Date.now(), checking: 0, principal });
}

/** The principal of a presented key, or null when it is not an active key. `cached` tells whether Redis answered. */
export async function lookupApiKey(stores: Stores, key: string): Promise<{ principal: KeyPrincipal; cached: boolean } | null> {
  const hash = await apiKeyHash(key);
  return hash ? lookupApiKeyHash(stores, hash) : null;
}

export async function lookupApiKeyHash(stores: Stores, hash: string): Promise<{ principal: KeyPrincipal; cached: boolean } | null> {
  const cached = await fromCache(stores, hash);
  if (cached) {
    remember(hash, cached);
    return { principal: cached, cached: true };
  }
  recent.delete(hash);
  const principal = await fromPostgres(stores, hash);
  if (!principal) return null;
  remember(hash, principal);
  if (cached === null) {
    await stores
      .redis()
      .set(cacheKey(hash), principal, { ex: KEY_CACHE_TTL_S })
      .catch(() => log('warn', 'redis unreachable: API key not cached'));
  }
  return { principal, cached: false };
}

/** Drops a key from the cache (after it is deleted); Postgres already refuses it. */
export async function forgetApiKey(stores: Stores, hash: string): Promise<void> {
  recent.delete(hash);
  await stores
    .redis()
    .del(cacheKey(hash))
    .catch(() => log('warn', 'redis unreachable: deleted API key may stay cached', { ttl_s: KEY_CACHE_TTL_S }));
}

/** False when this isolate already recorded a use of the key within TOUCH_INTERVAL_S (nothing to do). */
export function touchDue(keyId: string): boolean {
  const at = touched.get(keyId);
  if (at !== undefined && Date.now() - at < TOUCH_INTERVAL_S * 1000) return false;
  if (touched.size >= RECENT_MAX) touched.clear();
  touched.set(keyId, Date.now());
  return true;
}

/** Records that a key was used, at most once per TOUCH_INTERVAL_S (a Redis gate, then a guarded UPDATE). */
export async function touchApiKey(stores: Stores, keyId: string): Promise<void> {
  const gate = await stores
    .redis()
    .set(`auth:key-used:${keyId}`, 1, { nx: true, ex: TOUCH_INTERVAL_S })
    .catch(() => 'OK' as const);
  if (gate !== 'OK') return;
  await stores
    .db()
    .update(apiKeys)
    .set({ last_used_at: new Date() })
    .where(
      and(
        eq(apiKeys.id, keyId),
        or(isNull(apiKeys.last_used_at), lt(apiKeys.last_used_at, sql`now() - make_interval(secs => ${TOUCH_INTERVAL_S})`)),
      ),
    );
}
