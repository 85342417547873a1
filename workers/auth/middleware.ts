// Authentication for every router: `Authorization: Bearer <access JWT | nak_ API key>` → c.var.auth.
// 401 `unauthorized` without valid credentials, 403 `forbidden` for a missing scope or tier, 429 over the rate limit.
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';
import { createServices, waitUntil, type ApiKeyScope, type AppEnv, type Auth } from '../lib/services';
import { API_KEY_SCOPES, apiKeyHash, isApiKeyLike, lookupApiKeyHash, touchApiKey, touchDue, verifiedPrincipal } from './api-keys';
import { enforceRequestLimit, requestRule } from './ratelimit';
import { isRevoked } from './revocation';
import { tierAtLeast, type Tier } from '../../engine/tiers';
import { verifyAccessToken, type AccessClaims } from './tokens';

const BEARER = /^Bearer ([\x21-\x7e]+)$/;

function unauthorized(message: string, error?: 'invalid_token'): ApiError {
  const challenge = `Bearer realm="netra-apex"${error ? `, error="${error}"` : ''}`;
  return new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': challenge });
}

function bearerToken(c: Context): string {
  const header = c.req.header('authorization');
  if (!header) throw unauthorized('authentication required: send Authorization: Bearer <access token or API key>');
  const match = BEARER.exec(header);
  if (!match) throw unauthorized('malformed Authorization header; expected "Bearer <token>"', 'invalid_token');
  return match[1]!;
}

/** Verifies an access token given by other means than the header (WebSocket `?token=`): signature, claims, revocation. */
export async function verifyUserToken(c: Context<AppEnv>, token: string): Promise<AccessClaims> {
  if (isApiKeyLike(token)) throw unauthorized('this route needs a signed-in user; API keys are not accepted here', 'invalid_token');
  const verified = await verifyAccessToken(c.env, token);
  if (!verified.ok) throw unauthorized(verified.reason === 'expired' ? 'access token expired; refresh it' : 'invalid access token', 'invalid_token');
  if (await isRevoked(c.get('services'), verified.claims.jti)) throw unauthorized('access token has been revoked', 'invalid_token');
  return verified.claims;
}

/** Verifies the bearer access token (signature, claims, revocation) and returns its claims. */
export const userClaims = (c: Context<AppEnv>): Promise<AccessClaims> => verifyUserToken(c, bearerToken(c));

async function keyAuth(c: Context<AppEnv>, token: string): Promise<Auth> {
  const hash = await apiKeyHash(token);
  if (!hash) throw unauthorized('invalid API key', 'invalid_token');
  // A key this isolate verified lately authenticates from memory (no round trip); it is re-verified in the
  // background, and a look-up that no longer finds it drops it (workers/auth/api-keys.ts bounds how soon).
  const known = verifiedPrincipal(hash);
  const principal = known?.principal ?? (await lookupApiKeyHash(c.get('services'), hash))?.principal;
  if (!principal) throw unauthorized('invalid API key', 'invalid_token');
  const recheck = known?.recheck === true;
  const touch = touchDue(principal.key_id);
  if (recheck || touch) {
    // After the response, with stores of its own (the request's close with it).
    const background = createServices(c.env);
    const work = Promise.all([recheck ? lookupApiKeyHash(background, hash) : null, touch ? touchApiKey(background, principal.key_id) : null]);
    waitUntil(c, work.catch(() => {}).finally(() => background.close()));
  }
  return principal;
}

async function authenticate(c: Context<AppEnv>, allowKeys: boolean): Promise<Auth> {
  const token = bearerToken(c);
  if (allowKeys && isApiKeyLike(token)) return keyAuth(c, token);
  const claims = await verifyUserToken(c, token);
  return { kind: 'user', org_id: claims.org, user_id: claims.sub, key_id: null, role: claims.role, tier: claims.tier, scopes: [...API_KEY_SCOPES] };
}

export interface RequireAuthOptions {
  /** Scopes an API key must hold (signed-in users hold them all). */
  scopes?: ApiKeyScope[];
  /** Accept API keys as well as user access tokens (default true). */
  allowKeys?: boolean;
}

/** Authenticates the caller, checks scopes, applies the per-user / per-key rate limit, sets c.var.auth. */
export function requireAuth(opts: RequireAuthOptions = {}): MiddlewareHandler<AppEnv> {
  const { scopes = [], allowKeys = true } = opts;
  return async (c, next) => {
    const auth = await authenticate(c, allowKeys);
    const missing = scopes.filter((s) => !auth.scopes.includes(s));
    if (missing.length > 0) throw new ApiError('forbidden', `this API key lacks the scope ${missing.join(', ')}`, { missing_scopes: missing });
    await enforceRequestLimit(c, requestRule(auth.tier), auth.kind === 'key' ? `key:${auth.key_id}` : `user:${auth.user_id}`);
    c.set('auth', auth);
    await next();
  };
}

/** Signed-in users only (access JWT); API keys get 401. */
export const requireUser = (): MiddlewareHandler<AppEnv> => requireAuth({ allowKeys: false });

/** After requireAuth: 403 `forbidden` unless the caller's org is on `min` or a higher tier. */
export function requireTier(min: Tier): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { tier } = c.get('auth');
    if (!tierAtLeast(tier, min)) throw new ApiError('forbidden', `this endpoint needs the ${min} tier or higher`, { tier, required_tier: min });
    await next();
  };
}
