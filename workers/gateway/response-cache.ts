// Exact-response cache in Redis: the key is a SHA-256 over the canonical JSON (sorted keys) of everything
// that shapes the answer — model, messages, tools and sampling parameters — but not stream or user.
import type { Redis } from '../../db/redis';
import { canonicalJson } from '../../engine/telemetry/hash';
import { sha256Hex } from '../auth/secrets';
import { log } from '../../common/logger';
import type { ParsedAnswer } from './upstreams/types';
import type { ChatRequest } from './wire';

const IGNORED = new Set(['stream', 'stream_options', 'user']);

/** Hash of a request as sent upstream (provider/model included); also the call's prompt_hash in telemetry. */
export function requestHash(provider: string, req: ChatRequest): Promise<string> {
  const shaped = Object.fromEntries(Object.entries(req).filter(([k]) => !IGNORED.has(k)));
  return sha256Hex(canonicalJson({ provider, ...shaped }));
}

const key = (orgId: string, hash: string) => `gw:rc:${orgId}:${hash}`;

export async function cachedAnswer(redis: Redis, orgId: string, hash: string): Promise<ParsedAnswer | null> {
  try {
    return await redis.get<ParsedAnswer>(key(orgId, hash));
  } catch {
    log('warn', 'redis unreachable: response cache skipped');
    return null;
  }
}

export async function storeAnswer(redis: Redis, orgId: string, hash: string, answer: ParsedAnswer, ttlS: number): Promise<void> {
  await redis.set(key(orgId, hash), answer, { ex: ttlS }).catch(() => log('warn', 'redis unreachable: answer not cached'));
}
