// The access-token attack suite: every forged, stale, foreign or malformed token is a 401 `unauthorized`
// with a Bearer challenge, never a 5xx.
import { env } from 'cloudflare:workers';
import { decodeJwt, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers';
import { bearer, signUp, type Tenant } from './tenancy';

const secret = new TextEncoder().encode(env.JWT_SECRET);
let tenant: Tenant;
let claims: JWTPayload;

beforeAll(async () => {
  tenant = await signUp();
  claims = decodeJwt(tenant.access_token);
});

const now = () => Math.floor(Date.now() / 1000);

/** A token like ours, with the given changes, signed HS256 with the real secret unless told otherwise. */
function forge(
  changes: { payload?: Record<string, unknown>; header?: Record<string, unknown>; key?: Uint8Array | CryptoKey; alg?: string } = {},
): Promise<string> {
  const payload = { ...claims, jti: crypto.randomUUID(), iat: now(), exp: now() + 600, ...changes.payload };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete (payload as Record<string, unknown>)[k];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: changes.alg ?? 'HS256', typ: 'at+jwt', ...changes.header })
    .sign(changes.key ?? secret);
}

async function expectRejected(token: string, message?: RegExp): Promise<void> {
  const res = await api('/api/auth/me', { headers: bearer(token) });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="netra-apex"/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('unauthorized');
  if (message) expect(body.error.message).toMatch(message);
}

describe('JWT attack suite', () => {
  it('control: a token forged with the real secret and valid claims is accepted (the forger is sound)', async () => {
    expect((await api('/api/auth/me', { headers: bearer(await forge()) })).status).toBe(200);
  });

  it('alg "none" (unsigned) is refused', async () => {
    const unsigned = new UnsecuredJWT({ ...claims, jti: crypto.randomUUID(), exp: now() + 600 }).encode();
    await expectRejected(unsigned);
    // Same with our typ header and an empty signature.
    const header = btoa(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).replace(/=+$/, '');
    await expectRejected(`${header}.${tenant.access_token.split('.')[1]}.`);
  });

  it('algorithm confusion: RS256 tokens, and HS256 keyed with an RSA public key, are refused', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await expectRejected(await forge({ alg: 'RS256', key: rsa.privateKey }));
    const pem = await exportSPKI(rsa.publicKey);
    await expectRejected(await forge({ key: new TextEncoder().encode(pem) }));
  });

  it('other HMAC algorithms with the right secret are refused (HS256 only)', async () => {
    await expectRejected(await forge({ alg: 'HS512' }));
  });

  it('bad signatures are refused', async () => {
    await expectRejected(await forge({ key: new TextEncoder().encode('another-secret-0123456789abcdef0123456789') }));
    const [h, p, s] = tenant.access_token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    await expectRejected(`${h}.${p}.${flipped}`);
    // Payload swapped under a valid signature.
    const otherPayload = btoa(JSON.stringify({ ...claims, tier: 'enterprise' })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    await expectRejected(`${h}.${otherPayload}.${s}`);
  });

  it('expired and not-yet-valid tokens are refused', async () => {
    await expectRejected(await forge({ payload: { iat: now() - 3600, exp: now() - 1800 } }), /expired/);
    await expectRejected(await forge({ payload: { nbf: now() + 3600 } }));
  });

  it('wrong issuer or audience is refused', async () => {
    await expectRejected(await forge({ payload: { iss: 'someone-else' } }));
    await expectRejected(await forge({ payload: { aud: 'another-api' } }));
    await expectRejected(await forge({ payload: { iss: undefined } }));
  });

  it('wrong token type or missing/invalid claims are refused', async () => {
    await expectRejected(await forge({ header: { typ: 'JWT' } }));
    await expectRejected(await forge({ payload: { org: undefined } }));
    await expectRejected(await forge({ payload: { jti: undefined } }));
    await expectRejected(await forge({ payload: { exp: undefined } }));
    await expectRejected(await forge({ payload: { tier: 'platinum' } }));
    await expectRejected(await forge({ payload: { sub: 'key_123' } }));
  });

  it('a revoked token is refused', async () => {
    const t = await signUp();
    expect((await api('/api/auth/logout', { method: 'POST', headers: t.headers })).status).toBe(204);
    await expectRejected(t.access_token, /revoked/);
  });

  it('malformed tokens and headers are refused', async () => {
    for (const token of ['abc', 'a.b.c', '..', 'eyJhbGciOiJIUzI1NiJ9..', `${tenant.access_token}.extra`, 'Zm9v.YmFy.YmF6', '%%%.***.!!!']) {
      await expectRejected(token);
    }
    for (const authorization of ['', 'Bearer', 'Bearer ', `Basic ${btoa('a:b')}`, `bearer${tenant.access_token}`, `Bearer ${tenant.access_token} extra`]) {
      const res = await api('/api/auth/me', { headers: { authorization } });
      expect(res.status, JSON.stringify(authorization)).toBe(401);
    }
  });

  it('an oversized token is refused with 401 before any parsing', async () => {
    await expectRejected(await forge({ payload: { pad: 'x'.repeat(10_000) } }));
    await expectRejected('a'.repeat(100_000));
  });
});
