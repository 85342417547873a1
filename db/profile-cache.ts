// Workload profiles kept in Redis for a few minutes, per org and window, under the fingerprint of the org's
// calls (db/coverage.ts): a second question over the same data (a follow-up, another thread) reads the profile
// instead of recomputing it over every call. Any change to the calls changes the fingerprint, so a stored
// profile is exactly the one the calls would give now; the TTL bounds what a deploy of new profile code leaves.
import { log } from '../common/logger';
import { PROFILE_VERSION, type WorkloadProfile } from '../engine/profile/types';
import type { Redis } from './redis';

const TTL_S = 600;
/** Larger profiles are not stored (Upstash caps a request at 1 MB on its smaller plans). */
const MAX_BYTES = 900_000;

export function profileKey(orgId: string, window: { from: number; to: number }, fingerprint: string): string {
  return `wp:v${PROFILE_VERSION}:${orgId}:${window.from}:${window.to}:${fingerprint}`;
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
