// Redis unreachable: authentication still works from Postgres, revocation fails closed (Postgres record),
// rate limits fail open (logged), and flows that need Redis state (Google sign-in) answer 503.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../workers/app';
import { api, jsonRequest } from './helpers';
import { bearer, signUp } from './tenancy';

const app = buildApp();
// Nothing listens on port 9 of localhost: every Redis call fails fast, as in an outage.
const redisDown = { ...env, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' };

async function withoutRedis(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://api.test${path}`, init), redisDown, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('Redis down', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  it('login works; the login rate limit fails open and says so in the logs', async () => {
    const t = await signUp();
    const res = await withoutRedis('/api/auth/login', jsonRequest('POST', { email: t.email, password: t.password }));
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await withoutRedis('/api/auth/me', { headers: bearer(access_token) })).status).toBe(200);
    expect(warnings.some((w) => w.includes('rate limit not enforced'))).toBe(true);
  });

  it('a token revoked earlier is still refused: the check falls back to Postgres', async () => {
    const t = await signUp();
    expect((await api('/api/auth/logout', { method: 'POST', headers: t.headers })).status).toBe(204);
    const res = await withoutRedis('/api/auth/me', { headers: t.headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: 'access token has been revoked' } });
    expect(warnings.some((w) => w.includes('checking revocation in postgres'))).toBe(true);
  });

  it('logout during the outage is recorded in Postgres and enforced', async () => {
    const t = await signUp();
    expect((await withoutRedis('/api/auth/logout', { method: 'POST', headers: t.headers })).status).toBe(204);
    expect((await withoutRedis('/api/auth/me', { headers: t.headers })).status).toBe(401);
    expect((await withoutRedis('/api/auth/refresh', jsonRequest('POST', { refresh_token: t.refresh_token }))).status).toBe(401);
  });

  it('a logout made during the outage still holds once Redis is back (issue 18, 1)', async () => {
    const t = await signUp();
    expect((await withoutRedis('/api/auth/logout', { method: 'POST', headers: t.headers })).status).toBe(204);
    // Redis answers again and has no denylist entry for the token: Postgres' record must still refuse it.
    const res = await api('/api/auth/me', { headers: t.headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: 'access token has been revoked' } });
    expect((await api('/api/auth/me', { headers: t.headers })).status).toBe(401);
  });

  it('a logout just before Redis restarts empty still holds (issue 18, 1)', async () => {
    const t = await signUp();
    expect((await api('/api/auth/logout', { method: 'POST', headers: t.headers })).status).toBe(204);
    // A Redis restart without persistence loses the denylist: drop every denylist entry, as it would.
    const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, { match: 'auth:revoked:*', count: 1000 });
      if (keys.length > 0) await redis.del(...keys);
      cursor = String(next);
      if (cursor === '0') break;
    }
    expect((await api('/api/auth/me', { headers: t.headers })).status).toBe(401);
  });

  it('API keys authenticate from Postgres', async () => {
    const t = await signUp();
    const { key } = (await (await api('/api/keys', jsonRequest('POST', { name: 'k', scopes: ['read'] }, t.headers))).json()) as { key: string };
    expect((await withoutRedis('/api/free/demo', { headers: bearer(key) })).status).toBe(200);
    expect((await withoutRedis('/api/free/demo', { headers: bearer(`nak_${'B'.repeat(43)}`) })).status).toBe(401);
  });

  it('Google sign-in cannot keep its state: 503 dependency_unavailable, not a crash', async () => {
    const res = await withoutRedis('/api/auth/google/authorize');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'dependency_unavailable' } });
  });
});
