// Revoked access tokens: Postgres is the record, Redis the fast denylist (TTL = the token's remaining
// lifetime). A check asks Redis; when Redis is unreachable it asks Postgres, so revocation fails closed.
import { eq } from 'drizzle-orm';
import { revokedTokens } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { log } from '../lib/logger';
import type { Stores } from './stores';

export interface RevokedAccessToken {
  jti: string;
  user_id: string;
  expires_at: Date;
}

const denylistKey = (jti: string) => `auth:revoked:${jti}`;

export type RevocationReason = 'logout' | 'refresh_reuse' | 'membership_changed';

export async function revokeAccessTokens(stores: Stores, tokens: RevokedAccessToken[], reason: RevocationReason): Promise<void> {
  const now = Date.now();
  const live = tokens.filter((t) => t.expires_at.getTime() > now);
  if (live.length === 0) return;
  await stores.db().insert(revokedTokens).values(live.map((t) => ({ ...t, reason }))).onConflictDoNothing();
  try {
    const pipe = stores.redis().pipeline();
    for (const t of live) pipe.set(denylistKey(t.jti), reason, { ex: Math.max(1, Math.ceil((t.expires_at.getTime() - now) / 1000)) });
    await pipe.exec();
  } catch {
    // Postgres holds the revocation; Redis learns nothing of it, so it is enforced only while Redis stays down.
    log('warn', 'redis unreachable: revocation recorded in postgres only', { count: live.length, reason });
  }
}

export async function isRevoked(stores: Stores, jti: string): Promise<boolean> {
  try {
    return (await stores.redis().exists(denylistKey(jti))) > 0;
  } catch {
    log('warn', 'redis unreachable: checking revocation in postgres');
  }
  try {
    const rows = await stores.db().select({ jti: revokedTokens.jti }).from(revokedTokens).where(eq(revokedTokens.jti, jti)).limit(1);
    return rows.length > 0;
  } catch {
    throw new ApiError('dependency_unavailable', 'cannot check token revocation right now; retry shortly');
  }
}
