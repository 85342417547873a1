// Google sign-in (OpenID Connect authorization code flow with PKCE). The issuer's endpoints come from its
// discovery document; GOOGLE_ISSUER points elsewhere only in tests (a local issuer) — same code path.
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as z from 'zod';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import type { GoogleIdentity } from './accounts';
import { base64url, randomSecret, sha256 } from './secrets';
import type { Stores } from './stores';

const DEFAULT_ISSUER = 'https://accounts.google.com';
const STATE_TTL_S = 600;
const DISCOVERY_TTL_MS = 3600_000;
const FETCH_TIMEOUT_MS = 5_000;

export type GoogleEnv = Pick<Env, 'GOOGLE_CLIENT_ID' | 'GOOGLE_CLIENT_SECRET' | 'GOOGLE_ISSUER'>;

const discoverySchema = z.object({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
type Discovery = z.infer<typeof discoverySchema>;

const pendingSchema = z.object({ nonce: z.string(), code_verifier: z.string(), redirect_uri: z.string() });
type Pending = z.infer<typeof pendingSchema>;

const idTokenClaims = z.object({
  sub: z.string().min(1).max(255),
  email: z.email(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  name: z.string().max(200).optional(),
  nonce: z.string(),
});

// Caches of public, non-secret documents: the discovery document and the issuer's key set (jose refreshes keys itself).
const discoveries = new Map<string, { doc: Discovery; expires: number }>();
const keySets = new Map<string, JWTVerifyGetKey>();

interface Client {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

function client(env: GoogleEnv): Client {
  if (!env.GOOGLE_CLIENT_ID || !env.GOOGLE_CLIENT_SECRET) throw new ApiError('not_found', 'Google sign-in is not configured');
  return { issuer: (env.GOOGLE_ISSUER || DEFAULT_ISSUER).replace(/\/+$/, ''), clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET };
}

const unavailable = () => new ApiError('dependency_unavailable', 'Google sign-in is unavailable right now; retry shortly');

async function discover(issuer: string): Promise<Discovery> {
  const hit = discoveries.get(issuer);
  if (hit && hit.expires > Date.now()) return hit.doc;
  let doc: Discovery;
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    doc = discoverySchema.parse(await res.json());
  } catch (err) {
    log('error', 'OIDC discovery failed', { issuer, error: err instanceof Error ? err.message : String(err) });
    throw unavailable();
  }
  if (doc.issuer.replace(/\/+$/, '') !== issuer) {
    log('error', 'OIDC discovery names another issuer', { issuer, discovered: doc.issuer });
    throw unavailable();
  }
  discoveries.set(issuer, { doc, expires: Date.now() + DISCOVERY_TTL_MS });
  return doc;
}

function keySet(jwksUri: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUri);
  if (!keys) keySets.set(jwksUri, (keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS })));
  return keys;
}

const stateKey = (state: string) => `auth:oidc:${state}`;

/** Stores state, nonce and PKCE verifier in Redis and returns the issuer's authorization URL to redirect to. */
export async function authorizationUrl(stores: Stores, env: GoogleEnv, redirectUri: string): Promise<string> {
  const { issuer, clientId } = client(env);
  const doc = await discover(issuer);
  const state = randomSecret();
  const pending: Pending = { nonce: randomSecret(), code_verifier: randomSecret(), redirect_uri: redirectUri };
  try {
    await stores.redis().set(stateKey(state), pending, { ex: STATE_TTL_S });
  } catch {
    throw unavailable();
  }
  const url = new URL(doc.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state,
    nonce: pending.nonce,
    code_challenge: base64url(await sha256(pending.code_verifier)),
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

async function takePending(stores: Stores, state: string): Promise<Pending> {
  let raw: unknown;
  try {
    raw = await stores.redis().getdel(stateKey(state));
  } catch {
    throw unavailable();
  }
  const pending = pendingSchema.safeParse(raw);
  if (!pending.success) throw new ApiError('invalid_request', 'unknown or expired sign-in state; start the sign-in again');
  return pending.data;
}

async function exchangeCode(c: Client, doc: Discovery, code: string, pending: Pending): Promise<string> {
  let res: Response;
  try {
    res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirect_uri,
        client_id: c.clientId,
        client_secret: c.clientSecret,
        code_verifier: pending.code_verifier,
      }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw unavailable();
  }
  if (res.status >= 500) throw unavailable();
  const body = z.object({ id_token: z.string().max(8192) }).safeParse(await res.json().catch(() => null));
  if (!res.ok || !body.success) throw new ApiError('unauthorized', 'Google did not accept the sign-in; start it again');
  return body.data.id_token;
}

function rejected(reason: string): ApiError {
  log('warn', 'Google ID token rejected', { reason });
  return new ApiError('unauthorized', 'Google sign-in could not be verified');
}

async function verifyIdToken(c: Client, doc: Discovery, idToken: string, nonce: string): Promise<GoogleIdentity> {
  let claims: z.infer<typeof idTokenClaims>;
  try {
    const { payload } = await jwtVerify(idToken, keySet(doc.jwks_uri), {
      // Google's ID tokens may name the issuer without its scheme.
      issuer: [doc.issuer, doc.issuer.replace(/^https:\/\//, '')],
      audience: c.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    claims = idTokenClaims.parse(payload);
  } catch (err) {
    if (err instanceof errors.JWKSTimeout) throw unavailable();
    // jose's code (ERR_JWT_…): class names do not survive the minified bundle.
    throw rejected(err instanceof errors.JOSEError ? err.code : err instanceof z.ZodError ? 'claims of the wrong shape' : 'unknown');
  }
  if (claims.nonce !== nonce) throw rejected('nonce mismatch');
  return { sub: claims.sub, email: claims.email.toLowerCase(), email_verified: claims.email_verified, name: claims.name ?? null };
}

/** Completes the flow: one-time state, code exchange with the PKCE verifier, ID token verification. */
export async function completeSignIn(stores: Stores, env: GoogleEnv, code: string, state: string): Promise<GoogleIdentity> {
  const c = client(env);
  const pending = await takePending(stores, state);
  const doc = await discover(c.issuer);
  const idToken = await exchangeCode(c, doc, code, pending);
  return verifyIdToken(c, doc, idToken, pending.nonce);
}
