// Workload profiles kept in Redis for a few minutes, per org and window, under the fingerprint of the org's
// calls (db/coverage.ts): a second question over the same data (a follow-up, another thread) reads the profile
// instead of recomputing it over every call. Any change to the calls changes the fingerprint, so a stored
// profile is exactly the one the calls would give now; the TTL bounds what a deploy of new profile code leaves.
import { log } from '../common/logger';
import { CATALOG } from '../engine/catalog/index';
import { PROFILE_VERSION, type WorkloadProfile } from '../engine/profile/types';
import type { Redis } from './redis';

const TTL_S = 600;
/** Larger profiles are not stored (Upstash caps a request at 1 MB on its smaller plans). */
const MAX_BYTES = 900_000;

let catalogDigest: string | undefined;
/** The profile reads the catalog for one thing, whether it knows a (provider, model): a digest of its names. */
function catalogNames(): string {
  if (catalogDigest === undefined) {
    let h = 0x811c9dc5; // FNV-1a, 32 bits
    for (const ch of JSON.stringify(CATALOG.map((m) => [m.provider, m.id, m.aliases]))) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    catalogDigest = h.toString(16);
  }
  return catalogDigest;
}

export function profileKey(orgId: string, window: { from: number; to: number }, fingerprint: string): string {
  return `wp:v${PROFILE_VERSION}:${catalogNames()}:${orgId}:${window.from}:${window.to}:${fingerprint}`;
}

/** The stored profile, or null (none, or Redis unreachable: the caller computes it). */
export async function storedProfile(redis: Redis, key: string): Promise<WorkloadProfile | null> {
  try {
    return await redis.get<WorkloadProfile>(key);
  } catch {
    log('warn', 'redis unreachable: workload profile computed without the cache');
    return null;
  }
}

export async function storeProfile(redis: Redis, key: string, profile: WorkloadProfile): Promise<void> {
  const text = JSON.stringify(profile);
  if (text.length > MAX_BYTES) return;
  await redis.set(key, text, { ex: TTL_S }).catch(() => log('warn', 'redis unreachable: workload profile not cached'));
}
