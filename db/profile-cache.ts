// Workload profiles kept in Redis for a few minutes, per org and window, under the fingerprint of the org's
// calls (db/coverage.ts): a second question over the same data (a follow-up, another thread) reads the profile
// instead of recomputing it over every call. Any change to the calls changes the fingerprint, so a stored
// profile is exactly the one the calls would give now; the TTL bounds what a deploy of new profile code leaves.
import { log } from '../common/logger';
import { CATALOG } from '../engine/catalog/index';
import { PROFILE_VERSION, type WorkloadProfile } from '../engine/profile/types';
import type { Redis } from './redis';

const TTL_S = 600;
/** Larger values are not stored (Upstash caps a request at 10 MB on its Free and Pay-as-you-go plans). */
const MAX_BYTES = 8_000_000;
/** A profile is mostly repeated keys and small numbers: gzip makes it several times smaller. */
const PREFIX = 'gz1:';

async function pipeThrough(data: string | Uint8Array<ArrayBuffer>, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([data]).stream().pipeThrough(transform)).arrayBuffer());
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function pack(profile: WorkloadProfile): Promise<string> {
  return PREFIX + toBase64(await pipeThrough(JSON.stringify(profile), new CompressionStream('gzip')));
}

async function unpack(stored: string): Promise<WorkloadProfile | null> {
  if (!stored.startsWith(PREFIX)) return null;
  return JSON.parse(new TextDecoder().decode(await pipeThrough(fromBase64(stored.slice(PREFIX.length)), new DecompressionStream('gzip')))) as WorkloadProfile;
}

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
  let stored: unknown;
  try {
    stored = await redis.get(key);
  } catch {
    log('warn', 'redis unreachable: workload profile computed without the cache');
    return null;
  }
  return typeof stored === 'string' ? unpack(stored).catch(() => null) : null;
}

export async function storeProfile(redis: Redis, key: string, profile: WorkloadProfile): Promise<void> {
  const text = await pack(profile);
  if (text.length > MAX_BYTES) return log('info', 'workload profile too large to cache', { bytes: text.length });
  await redis.set(key, text, { ex: TTL_S }).catch(() => log('warn', 'redis unreachable: workload profile not cached'));
}
