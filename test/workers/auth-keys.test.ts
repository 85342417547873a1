// API keys: created once-visible, listed without secrets, scoped, cached in Redis, debounced last_used_at,
// tier-limited, rate-limited per key, deleted (cache invalidated), and isolated between orgs.
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { apiKeys } from '../../db/schema';
import { openDb } from '../../db/postgres';
import { KEY_MEMORY_TTL_MS } from '../../workers/auth/api-keys';
import { sha256Hex } from '../../workers/auth/secrets';
import { api, jsonRequest } from './helpers';
import { bearer, describeTenancy, setTier, signUp, type Tenant } from './tenancy';

interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  key: string;
  created_at: string;
  last_used_at: string | null;
}
interface KeyList {
  items: Array<Omit<CreatedKey, 'key'>>;
  next_cursor: string | null;
}

const redis = () => new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });

async function createKey(t: Tenant, body: unknown = { name: 'ci', scopes: ['read'] }): Promise<CreatedKey> {
  const res = await api('/api/keys', jsonRequest('POST', body, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CreatedKey;
}

const listKeys = async (t: Tenant, query = '') => (await (await api(`/api/keys${query}`, { headers: t.headers })).json()) as KeyList;
const useKey = (key: string, path = '/api/free/demo') => api(path, { headers: bearer(key) });
const deleteKey = (t: Tenant, id: string) => api(`/api/keys/${id}`, { method: 'DELETE', headers: t.headers });

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 3_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('API keys', () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await setTier(await signUp(), 'mid');
  });

  it('POST returns the secret once (nak_…); lists show the prefix only', async () => {
    const k = await createKey(t, { name: 'ingest bot', scopes: ['ingest', 'read'] });
    expect(k.key).toMatch(/^nak_[\w-]{43}$/);
    expect(k).toMatchObject({ name: 'ingest bot', prefix: k.key.slice(0, 12), scopes: ['ingest', 'read'], last_used_at: null });
    expect(k.id).toMatch(/^key_/);
    const listed = await listKeys(t);
    const text = JSON.stringify(listed);
    expect(listed.items.find((i) => i.id === k.id)).toMatchObject({ prefix: k.prefix, name: 'ingest bot' });
    expect(text).not.toContain(k.key);
    expect(text).not.toContain(await sha256Hex(k.key));
    expect(text).not.toContain('key_hash');
  });

  it('a key authenticates as its org, with its scopes; missing scope is 403', async () => {
    const read = await createKey(t, { name: 'reader', scopes: ['read'] });
    const ingest = await createKey(t, { name: 'ingester', scopes: ['ingest'] });
    expect((await useKey(read.key)).status).toBe(200);
    const denied = await useKey(ingest.key);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: 'forbidden', details: { missing_scopes: ['read'] } } });
  });

  it('keys are refused on user-only routes, and unknown or malformed keys are 401', async () => {
    const k = await createKey(t);
    expect((await api('/api/keys', { headers: bearer(k.key) })).status).toBe(401);
    expect((await api('/api/auth/me', { headers: bearer(k.key) })).status).toBe(401);
    expect((await useKey(`nak_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await useKey('nak_short')).status).toBe(401);
  });

  it('look-ups are cached in Redis (hash → auth JSON, short TTL), never by the secret', async () => {
    const k = await createKey(t);
    const hash = await sha256Hex(k.key);
    expect(await redis().get(`auth:key:${hash}`)).toBeNull();
    expect((await useKey(k.key)).status).toBe(200);
    const cached = await redis().get<Record<string, unknown>>(`auth:key:${hash}`);
    expect(cached).toMatchObject({ kind: 'key', key_id: k.id, org_id: t.org_id, tier: 'mid', scopes: ['read'] });
    const ttl = await redis().ttl(`auth:key:${hash}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(JSON.stringify(cached)).not.toContain(k.key);
    expect((await useKey(k.key)).status).toBe(200);
  });

  it('last_used_at is recorded after use, at most once a minute', async () => {
    const k = await createKey(t);
    expect((await useKey(k.key)).status).toBe(200);
    const find = async () => (await listKeys(t)).items.find((i) => i.id === k.id)!;
    const first = await eventually(find, (i) => i.last_used_at !== null);
    expect(first.last_used_at).not.toBeNull();
    expect((await useKey(k.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await find()).last_used_at).toBe(first.last_used_at);
  });

  it('DELETE revokes at once (cache invalidated); a second DELETE and unknown ids are 404', async () => {
    const k = await createKey(t);
    expect((await useKey(k.key)).status).toBe(200);
    expect((await deleteKey(t, k.id)).status).toBe(204);
    expect((await useKey(k.key)).status).toBe(401);
    expect(await redis().get(`auth:key:${await sha256Hex(k.key)}`)).toBeNull();
    expect((await listKeys(t)).items.map((i) => i.id)).not.toContain(k.id);
    for (const id of [k.id, 'key_0190000000007000800000000000000', 'not-a-key']) {
      expect((await deleteKey(t, id)).status).toBe(404);
    }
    expect((await deleteKey(t, '%00')).status).toBe(400); // a NUL in the URL is refused before any route
  });

  it('a key deleted by another isolate (Postgres row revoked, Redis entry gone) is refused within the memory bound', async () => {
    const k = await createKey(t);
    expect((await useKey(k.key)).status).toBe(200); // now verified in this isolate's memory
    const pg = openDb(env);
    try {
      await pg.db.update(apiKeys).set({ revoked_at: new Date() }).where(eq(apiKeys.id, k.id));
    } finally {
      await pg.close();
    }
    await redis().del(`auth:key:${await sha256Hex(k.key)}`);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < KEY_MEMORY_TTL_MS + 5_000) {
      status = (await useKey(k.key)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    // The background re-check (every RECHECK_MS) drops it well before the memory TTL; it stays refused.
    expect(Date.now() - revokedAt).toBeLessThan(KEY_MEMORY_TTL_MS);
    for (let i = 0; i < 3; i++) expect((await useKey(k.key)).status).toBe(401);
  });

  it('lists paginate with an opaque cursor', async () => {
    const owner = await signUp();
    const a = await createKey(owner, { name: 'a', scopes: ['read'] });
    const b = await createKey(owner, { name: 'b', scopes: ['read'] });
    const first = await listKeys(owner, '?limit=1');
    expect(first.items.map((i) => i.id)).toEqual([b.id]);
    expect(first.next_cursor).toBeTruthy();
    const second = await listKeys(owner, `?limit=1&cursor=${first.next_cursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ id: a.id })], next_cursor: null });
    expect((await api('/api/keys?cursor=garbage', { headers: owner.headers })).status).toBe(400);
    expect((await api('/api/keys?limit=1000', { headers: owner.headers })).status).toBe(400);
  });

  it('bad bodies are 400', async () => {
    for (const body of [
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['read', 'read'] },
      { name: '', scopes: ['read'] },
      { scopes: ['read'] },
      { name: 'x', scopes: ['read'], org_id: 'org_other' },
    ]) {
      const res = await api('/api/keys', jsonRequest('POST', body, t.headers));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('/api/keys', jsonRequest('POST', '{nope', t.headers))).status).toBe(400);
  });

  it("the free tier's key limit (2) is enforced; deleting one frees a slot", async () => {
    const free = await signUp();
    const first = await createKey(free);
    await createKey(free);
    const over = await api('/api/keys', jsonRequest('POST', { name: 'third', scopes: ['read'] }, free.headers));
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ error: { code: 'limit_exceeded', details: { limit: 'api_keys', allowed: 2 } } });
    expect((await deleteKey(free, first.id)).status).toBe(204);
    await createKey(free);
  });

  it('requests are rate limited per key by tier (free: 120/min) with Retry-After', async () => {
    const free = await signUp();
    const k = await createKey(free);
    const authed: Response[] = [];
    for (let batch = 0; batch < 6; batch++) authed.push(...(await Promise.all(Array.from({ length: 20 }, () => useKey(k.key)))));
    expect(authed.every((r) => r.status === 200)).toBe(true);
    // A sliding window: calls that straddle a minute boundary see the previous minute's weight shrink (one
    // run here spanned 20:30:59–20:31:03 and the 121st passed), so a few more may pass; never 15 more.
    let limited = await useKey(k.key);
    for (let extra = 0; extra < 15 && limited.status === 200; extra++) limited = await useKey(k.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // The owner's own user budget is separate.
    expect((await listKeys(free)).items.length).toBe(1);
  });
});

describeTenancy([
  {
    name: 'api keys',
    create: async (owner) => (await createKey(owner)).id,
    probes: (id) => [{ method: 'DELETE', path: `/api/keys/${id}` }],
    lists: ['/api/keys'],
  },
]);
