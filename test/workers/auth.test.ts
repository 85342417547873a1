// Accounts and sessions: register, login, me, refresh rotation (reuse revokes the family), logout,
// input validation, the login rate limit, dev-login (development only), password storage.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/postgres';
import { users } from '../../db/schema';
import { buildApp } from '../../workers/app';
import { api, jsonRequest } from './helpers';
import { bearer, randomIp, signUp, uniqueEmail } from './tenancy';

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: Array<{ path: string; message: string }> }; request_id: string };
}
interface SignedIn {
  user: Record<string, unknown> & { id: string; email: string; role: string };
  org: { id: string; tier: string; name: string };
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_at: string;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) => api(path, jsonRequest('POST', body, headers));
const register = (body: unknown) => post('/api/auth/register', body, { 'cf-connecting-ip': randomIp() });
const me = (token: string) => api('/api/auth/me', { headers: bearer(token) });

async function errorOf(res: Response, status: number, code: string): Promise<ErrorBody['error']> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  return body.error;
}

describe('register, login, me', () => {
  it('register creates an org with its owner and signs in', async () => {
    const email = uniqueEmail('Owner');
    const res = await register({ email, password: 'correct horse battery', name: 'Ada', org_name: 'Analytical Engines' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as SignedIn;
    expect(body.user).toMatchObject({ email: email.toLowerCase(), name: 'Ada', role: 'owner', email_verified: false });
    expect(body.user.id).toMatch(/^usr_[0-9a-f]{32}$/);
    expect(body.org).toMatchObject({ name: 'Analytical Engines', tier: 'free' });
    expect(body.org.id).toMatch(/^org_/);
    expect(body.user).not.toHaveProperty('password_hash');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(body.access_token.split('.')).toHaveLength(3);
    expect(body.refresh_token).toMatch(/^nrt_[\w-]{43}$/);

    const who = await me(body.access_token);
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({ user: body.user, org: body.org });
  });

  it('stores a PBKDF2-SHA256 hash with a per-user salt, never the password', async () => {
    const a = await signUp({ password: 'same password for both' });
    const b = await signUp({ password: 'same password for both' });
    const pg = openDb(env);
    try {
      const rows = await pg.db.select({ id: users.id, hash: users.password_hash }).from(users).where(eq(users.org_id, a.org_id));
      const [other] = await pg.db.select({ hash: users.password_hash }).from(users).where(eq(users.org_id, b.org_id));
      expect(rows[0]!.hash).toMatch(/^pbkdf2\$100000\$[\w-]{22}\$[\w-]{43}$/);
      expect(rows[0]!.hash).not.toContain('same password');
      expect(rows[0]!.hash!.split('$')[2]).not.toBe(other!.hash!.split('$')[2]);
    } finally {
      await pg.close();
    }
  });

  it('login: right password signs in (email case-insensitive); wrong password and unknown email get the same 401', async () => {
    const t = await signUp();
    const ok = await post('/api/auth/login', { email: t.email.toUpperCase(), password: t.password });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as SignedIn;
    expect(body.user.id).toBe(t.user_id);
    expect((await me(body.access_token)).status).toBe(200);

    const wrong = await errorOf(await post('/api/auth/login', { email: t.email, password: 'not the password' }), 401, 'unauthorized');
    const unknown = await errorOf(await post('/api/auth/login', { email: uniqueEmail(), password: 'whatever123' }), 401, 'unauthorized');
    expect(wrong.message).toBe(unknown.message);
  });

  it('duplicate registration is 409, whatever the case of the email', async () => {
    const t = await signUp();
    await errorOf(await register({ email: t.email, password: 'another password' }), 409, 'conflict');
    await errorOf(await register({ email: t.email.toUpperCase(), password: 'another password' }), 409, 'conflict');
  });

  it('me without a token is 401 with a Bearer challenge', async () => {
    const res = await api('/api/auth/me');
    await errorOf(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('bad input is a 400, never a 5xx', () => {
  const good = { email: 'valid@example.test', password: 'long enough password' };

  it.each(['not-an-email', 'a@', '@b.example', 'a b@example.test', '', `${'x'.repeat(250)}@example.test`, 42, null])(
    'register with email %j',
    async (email) => {
      const err = await errorOf(await register({ ...good, email }), 400, 'invalid_request');
      expect(err.details?.issues?.[0]?.path).toBe('email');
    },
  );

  it('short and oversized passwords', async () => {
    const short = await errorOf(await register({ ...good, password: 'short' }), 400, 'invalid_request');
    expect(short.details?.issues?.[0]).toMatchObject({ path: 'password', message: expect.stringContaining('10') });
    await errorOf(await register({ ...good, password: 'x'.repeat(257) }), 400, 'invalid_request');
  });

  it('unknown fields are refused (.strict)', async () => {
    await errorOf(await register({ ...good, role: 'owner' }), 400, 'invalid_request');
    await errorOf(await post('/api/auth/login', { ...good, remember: true }), 400, 'invalid_request');
    await errorOf(await post('/api/auth/refresh', { refresh_token: 'x', extra: 1 }), 400, 'invalid_request');
  });

  it('malformed, empty and non-object JSON', async () => {
    await errorOf(await post('/api/auth/register', '{"email": "a@b.c",'), 400, 'invalid_json');
    await errorOf(await post('/api/auth/login', ''), 400, 'invalid_json');
    await errorOf(await post('/api/auth/login', '[1,2]'), 400, 'invalid_request');
    await errorOf(await post('/api/auth/refresh', 'null'), 400, 'invalid_request');
  });

  it('an oversized body is 413', async () => {
    await errorOf(await register({ ...good, name: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large');
  });
});

describe('refresh rotation and logout', () => {
  async function refresh(token: string) {
    return post('/api/auth/refresh', { refresh_token: token });
  }

  it('refresh rotates: a new pair, the new access token works', async () => {
    const t = await signUp();
    const res = await refresh(t.refresh_token);
    expect(res.status).toBe(200);
    const next = (await res.json()) as SignedIn;
    expect(next.refresh_token).not.toBe(t.refresh_token);
    expect(next.access_token).not.toBe(t.access_token);
    expect((await me(next.access_token)).status).toBe(200);
    // Chains further.
    expect((await refresh(next.refresh_token)).status).toBe(200);
  });

  it('reusing a rotated refresh token revokes the whole family, access tokens included', async () => {
    const t = await signUp();
    const second = (await (await refresh(t.refresh_token)).json()) as SignedIn;
    const reuse = await errorOf(await refresh(t.refresh_token), 401, 'unauthorized');
    expect(reuse.message).toContain('revoked');
    // The legitimate holder of the newest pair is signed out too.
    await errorOf(await refresh(second.refresh_token), 401, 'unauthorized');
    const revoked = await errorOf(await me(second.access_token), 401, 'unauthorized');
    expect(revoked.message).toContain('revoked');
    expect((await me(t.access_token)).status).toBe(401);
    // Other sessions of the same user are untouched.
    const again = await post('/api/auth/login', { email: t.email, password: t.password });
    expect((await me(((await again.json()) as SignedIn).access_token)).status).toBe(200);
  });

  it('logout revokes the access token and the session refresh token', async () => {
    const t = await signUp();
    const out = await api('/api/auth/logout', { method: 'POST', headers: t.headers });
    expect(out.status).toBe(204);
    await errorOf(await me(t.access_token), 401, 'unauthorized');
    await errorOf(await refresh(t.refresh_token), 401, 'unauthorized');
    await errorOf(await api('/api/auth/logout', { method: 'POST', headers: t.headers }), 401, 'unauthorized');
  });

  it('garbage refresh tokens are 401', async () => {
    for (const token of ['nope', `nrt_${'A'.repeat(43)}`, 'x'.repeat(200)]) await errorOf(await refresh(token), 401, 'unauthorized');
  });
});

describe('rate limits', () => {
  it('login attempts are limited per email and client IP: 429 with Retry-After', async () => {
    const t = await signUp();
    const ip = randomIp();
    const attempt = (from: string) => post('/api/auth/login', { email: t.email, password: 'wrong password' }, { 'cf-connecting-ip': from });
    for (let i = 0; i < 10; i++) expect((await attempt(ip)).status).toBe(401);
    const limited = await attempt(ip);
    const err = await errorOf(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(err.message).toMatch(/retry in \d+ s/);
    // Even the right password waits: the limit is on attempts.
    expect((await post('/api/auth/login', { email: t.email, password: t.password }, { 'cf-connecting-ip': ip })).status).toBe(429);
    // Another address is not affected.
    expect((await attempt(randomIp())).status).toBe(401);
  });

  it('successful sign-ins do not count toward the login limit: many devices never lock a user out (issue 18, 11)', async () => {
    const t = await signUp();
    const ip = randomIp();
    for (let i = 0; i < 15; i++) expect((await post('/api/auth/login', { email: t.email, password: t.password }, { 'cf-connecting-ip': ip })).status).toBe(200);
    // failures still count from zero
    for (let i = 0; i < 10; i++) expect((await post('/api/auth/login', { email: t.email, password: 'wrong password' }, { 'cf-connecting-ip': ip })).status).toBe(401);
    expect((await post('/api/auth/login', { email: t.email, password: 'wrong password' }, { 'cf-connecting-ip': ip })).status).toBe(429);
  });

  it('sign-ups are limited per client IP', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await post('/api/auth/register', { email: uniqueEmail('burst'), password: 'long enough password' }, { 'cf-connecting-ip': ip })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('dev-login', () => {
  it('does not exist outside development: 404 like any unknown route', async () => {
    expect(env.ENVIRONMENT).toBe('test');
    const err = await errorOf(await post('/api/auth/dev-login', {}), 404, 'not_found');
    expect(err.message).toBe('no route for POST /api/auth/dev-login');
  });

  it('in development it signs in (creating the dev account once)', async () => {
    const app = buildApp();
    const devEnv = { ...env, ENVIRONMENT: 'development' };
    const call = async (body: unknown) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request('http://api.test/api/auth/dev-login', jsonRequest('POST', body)), devEnv, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const email = uniqueEmail('dev');
    const first = await call({ email });
    expect(first.status).toBe(200);
    const a = (await first.json()) as SignedIn;
    expect(a.user).toMatchObject({ email, role: 'owner', email_verified: true });
    const b = (await (await call({ email })).json()) as SignedIn;
    expect(b.user.id).toBe(a.user.id);
    expect((await me(a.access_token)).status).toBe(200);
    expect((await call({ email, admin: true })).status).toBe(400);
  });
});
