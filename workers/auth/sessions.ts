// Sessions: an access JWT plus a rotating opaque refresh token (stored hashed, one family per login).
// Presenting a refresh token that was already rotated revokes the whole family and its access tokens.
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import * as z from 'zod';
import { orgs, refreshTokens, users } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { newId } from '../../common/ids';
import { log } from '../../common/logger';
import type { Account } from './accounts';
import { revokeAccessTokens, type RevocationReason } from './revocation';
import { randomSecret, sha256Hex } from './secrets';
import type { Stores } from './stores';
import { ACCESS_TOKEN_TTL_S, signAccessToken, type TokenEnv } from './tokens';
import { undocumented } from '../lib/openapi';

export const REFRESH_TOKEN_TTL_S = 30 * 24 * 3600;
const REFRESH_TOKEN = /^nrt_[\w-]{43}$/;

export const tokenPairSchema = OPENAPI_DOCUMENT ? z.object({
  access_token: z.string().describe('access JWT, valid expires_in seconds'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string().describe('single-use: each refresh returns a new one'),
  refresh_expires_at: z.string(),
}) : undocumented;
export type TokenPair = z.infer<typeof tokenPairSchema>;

/** Issues an access token and a refresh token; a new family (session) unless `familyId` continues one. */
async function issue(stores: Stores, env: TokenEnv, account: Account, familyId?: string): Promise<TokenPair> {
  const id = newId('rtk');
  const session_id = familyId ?? id;
  const access = await signAccessToken(env, {
    user_id: account.user.id,
    org_id: account.org.id,
    tier: account.org.tier,
    role: account.user.role,
    session_id,
  });
  const refresh = `nrt_${randomSecret()}`;
  const expires_at = new Date(Date.now() + REFRESH_TOKEN_TTL_S * 1000);
  await stores.db().insert(refreshTokens).values({
    id,
    family_id: session_id,
    user_id: account.user.id,
    org_id: account.org.id,
    token_hash: await sha256Hex(refresh),
    access_jti: access.jti,
    access_expires_at: access.expires_at,
    expires_at,
  });
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    refresh_token: refresh,
    refresh_expires_at: expires_at.toISOString(),
  };
}

export const startSession = (stores: Stores, env: TokenEnv, account: Account) => issue(stores, env, account);

/** Revokes every refresh token of a session and denylists its access tokens that have not expired yet. */
export const revokeSession = (stores: Stores, sessionId: string, reason: 'logout' | 'refresh_reuse') =>
  revokeWhere(stores, eq(refreshTokens.family_id, sessionId), reason);

/** Ends every session of a user (their org or role changed): no token issued before keeps working. */
export const revokeUserSessions = (stores: Stores, userId: string) => revokeWhere(stores, eq(refreshTokens.user_id, userId), 'membership_changed');

async function revokeWhere(stores: Stores, which: SQL, reason: RevocationReason): Promise<void> {
  const revoked = await stores
    .db()
    .update(refreshTokens)
    .set({ revoked_at: new Date() })
    .where(and(which, isNull(refreshTokens.revoked_at)))
    .returning({ jti: refreshTokens.access_jti, user_id: refreshTokens.user_id, expires_at: refreshTokens.access_expires_at });
  await revokeAccessTokens(stores, revoked, reason);
}

const invalid = (message = 'refresh token is invalid or expired') => new ApiError('unauthorized', message);

/** Rotates a refresh token: the presented one is spent, a new pair of the same session is returned. */
export async function refreshSession(stores: Stores, env: TokenEnv, token: string): Promise<TokenPair> {
  if (!REFRESH_TOKEN.test(token)) throw invalid();
  const db = stores.db();
  const [row] = await db
    .select({ rt: refreshTokens, user: users, org: orgs })
    .from(refreshTokens)
    .innerJoin(users, eq(users.id, refreshTokens.user_id))
    .innerJoin(orgs, eq(orgs.id, users.org_id))
    .where(eq(refreshTokens.token_hash, await sha256Hex(token)))
    .limit(1);
  if (!row || row.rt.revoked_at || row.rt.expires_at.getTime() <= Date.now()) throw invalid();
  const spent = await db
    .update(refreshTokens)
    .set({ rotated_at: new Date() })
    .where(and(eq(refreshTokens.id, row.rt.id), isNull(refreshTokens.rotated_at), isNull(refreshTokens.revoked_at)))
    .returning({ id: refreshTokens.id });
  if (spent.length === 0) {
    // Already rotated: someone holds a copy of an old token. End the session for everyone holding it.
    await revokeSession(stores, row.rt.family_id, 'refresh_reuse');
    log('warn', 'refresh token reuse: session revoked', { user_id: row.user.id, session_id: row.rt.family_id });
    throw invalid('refresh token was already used; the session has been revoked, sign in again');
  }
  return issue(stores, env, { user: row.user, org: row.org }, row.rt.family_id);
}
