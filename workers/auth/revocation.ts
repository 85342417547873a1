// Revoked access tokens: Postgres is the record, Redis the fast copy. A check trusts Redis only to say
// "revoked"; a "not revoked" comes from Postgres, remembered in Redis for NOT_REVOKED_CACHE_S. So a logout
// written only to Postgres (Redis down, or Redis restarted empty) holds once Redis is back, at most that
// long later, and with Redis unreachable the check asks Postgres: revocation fails closed.
import { eq } from 'drizzle-orm';
import { revokedTokens } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import type { Stores } from './stores';

export interface RevokedAccessToken {
  jti: string;
  user_id: string;
  expires_at: Date;
}

/** How long a "not revoked" answer of Postgres is reused: the longest a revocation can lag behind Redis' outage. */
export const NOT_REVOKED_CACHE_S = 10;

const denylistKey = (jti: string) => `auth:revoked:${jti}`;
const notRevokedKey = (jti: string) => `auth:not-revoked:${jti}`;
const secondsLeft = (expiresAt: Date, now: number) => Math.max(1, Math.ceil((expiresAt.getTime() - now) / 1000));

export type RevocationReason = 'logout' | 'refresh_reuse' | 'membership_changed';

export async function revokeAccessTokens(stores: Stores, tokens: RevokedAccessToken[], reason: RevocationReason): Promise<void> {
  const now = Date.now();
  const live = tokens.filter((t) => t.expires_at.getTime() > now);
  if (live.length === 0) return;
  await stores.db().insert(revokedTokens).values(live.map((t) => ({ ...t, reason }))).onConflictDoNothing();
  try {
    const pipe = stores.redis().pipeline();
    for (const t of live) {
      pipe.set(denylistKey(t.jti), reason, { ex: secondsLeft(t.expires_at, now) });
      pipe.del(notRevokedKey(t.jti));
    }
    await pipe.exec();
  } catch {
    // Postgres holds the revocation, and checks read it whenever Redis has no denylist entry.
    log('warn', 'redis unreachable: revocation recorded in postgres only', { count: live.length, reason });
  }
}

/** Postgres' answer: the revoked token's expiry, or null when it is not revoked. */
async function revokedInPostgres(stores: Stores, jti: string): Promise<Date | null> {
  try {
    const rows = await stores.db().select({ expires_at: revokedTokens.expires_at }).from(revokedTokens).where(eq(revokedTokens.jti, jti)).limit(1);
    return rows[0]?.expires_at ?? null;
  } catch {
    throw new ApiError('dependency_unavailable', 'cannot check token revocation right now (postgres unavailable); retry shortly', { dependency: 'postgres' }, { 'Retry-After': '5' });
  }
}

export async function isRevoked(stores: Stores, jti: string): Promise<boolean> {
  let cached: [string | null, string | null] | undefined;
  try {
    cached = await stores.redis().mget<[string | null, string | null]>(denylistKey(jti), notRevokedKey(jti));
  } catch {
    log('warn', 'redis unreachable: checking revocation in postgres');
  }
  if (cached?.[0] != null) return true;
  if (cached?.[1] != null) return false;
  const expiresAt = await revokedInPostgres(stores, jti);
  if (cached) {
    // Redis answered: give it Postgres' answer (a revocation it missed, or a short-lived "not revoked").
    const remember = expiresAt
      ? stores.redis().set(denylistKey(jti), 'postgres', { ex: secondsLeft(expiresAt, Date.now()) })
      : stores.redis().set(notRevokedKey(jti), 1, { ex: NOT_REVOKED_CACHE_S });
    await remember.catch(() => log('warn', 'redis unreachable: revocation check not cached'));
  }
  return expiresAt !== null;
}
