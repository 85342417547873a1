// Access tokens: short-lived HS256 JWTs (jose) carrying the caller's user, org, tier, role and session.
import { errors, jwtVerify, SignJWT } from 'jose';
import * as z from 'zod';
import { ORG_ROLES, type OrgRole } from '../../db/schema';
import { TIERS, type Tier } from '../../engine/tiers';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
/** Anything longer is not one of our tokens: refused before any parsing. */
export const MAX_TOKEN_CHARS = 4096;
/** RFC 9068 access-token type: a JWT we sign for another purpose can never pass as an access token. */
const TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
const MIN_SECRET_CHARS = 32;

export interface TokenEnv {
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

export interface SessionSubject {
  user_id: string;
  org_id: string;
  tier: Tier;
  role: OrgRole;
  /** The refresh-token family this access token belongs to. */
  session_id: string;
}

const claimsSchema = z.object({
  sub: z.string().startsWith('usr_'),
  org: z.string().startsWith('org_'),
  tier: z.enum(TIERS),
  role: z.enum(ORG_ROLES),
  sid: z.string().startsWith('rtk_'),
  jti: z.string().min(16).max(64),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof claimsSchema>;

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

// Imported once per secret: re-importing the raw secret on every verification costs more than the HMAC.
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function secretKey(env: TokenEnv): Promise<CryptoKey> {
  // A configuration fault, not a caller's: surfaces as a 500 with a request id.
  if (!env.JWT_SECRET || env.JWT_SECRET.length < MIN_SECRET_CHARS) throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_CHARS} characters`);
  let key = hmacKeys.get(env.JWT_SECRET);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(env.JWT_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(env.JWT_SECRET, key);
  }
  return key;
}

export async function signAccessToken(env: TokenEnv, s: SessionSubject): Promise<{ token: string; jti: string; expires_at: Date }> {
  const jti = crypto.randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ACCESS_TOKEN_TTL_S;
  const token = await new SignJWT({ org: s.org_id, tier: s.tier, role: s.role, sid: s.session_id })
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
    .setSubject(s.user_id)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(await secretKey(env));
  return { token, jti, expires_at: new Date(exp * 1000) };
}

/** Verifies signature, algorithm, type, issuer, audience, time claims and claim shapes. Never throws for a bad token. */
export async function verifyAccessToken(env: TokenEnv, token: string): Promise<VerifyResult> {
  const key = await secretKey(env);
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      clockTolerance: 5,
    });
    const claims = claimsSchema.safeParse(payload);
    return claims.success ? { ok: true, claims: claims.data } : { ok: false, reason: 'invalid' };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
