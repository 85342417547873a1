// Provider keys: stored AES-GCM encrypted (never in clear in Postgres), never returned after creation (a hint
// only), validated, one per provider, isolated between orgs; without GATEWAY_ENCRYPTION_KEY a clear 503.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../db/postgres';
import { buildApp } from '../../workers/app';
import { api, jsonRequest } from './helpers';
import { chatOk, fakeKey, fakeUrl, marker } from './gateway-support';
import { createKey } from './ingest-support';
import { describeTenancy, signUp, type Tenant } from './tenancy';

const create = (t: Tenant, body: unknown) => api('/api/gateway/provider-keys', jsonRequest('POST', body, t.headers));
const secretKey = () => `sk-test-${crypto.randomUUID()}`;

describe('gateway provider keys', () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await signUp();
  });

  it('stores the key encrypted, answers a hint only, and lists it', async () => {
    const key = secretKey();
    const res = await create(t, { name: 'openai prod', provider: 'openai', key });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(key);
    const created = JSON.parse(text) as { id: string; hint: string; provider: string; api: string; base_url: string };
    expect(created).toMatchObject({ provider: 'openai', api: 'openai', base_url: 'https://api.openai.com/v1', hint: `…${key.slice(-4)}` });

    const list = await (await api('/api/gateway/provider-keys', { headers: t.headers })).text();
    expect(list).toContain(created.id);
    expect(list).not.toContain(key);
    const one = await (await api(`/api/gateway/provider-keys/${created.id}`, { headers: t.headers })).text();
    expect(one).not.toContain(key);

    const pg = openDb(env);
    try {
      const r = await pg.pool.query('select ciphertext, iv, hint from gateway_provider_keys where id = $1', [created.id]);
      const row = r.rows[0] as { ciphertext: string; iv: string; hint: string };
      expect(JSON.stringify(row)).not.toContain(key);
      expect(row.hint).toBe(key.slice(-4));
      // AES-GCM: ciphertext = plaintext length + 16-byte tag, base64url.
      expect(Math.ceil(((key.length + 16) * 4) / 3)).toBe(row.ciphertext.length);
    } finally {
      await pg.close();
    }
  });

  it('one key per provider (409); update and delete; bad input is 400', async () => {
    const u = await signUp();
    const first = (await (await create(u, { name: 'a', provider: 'anthropic', key: secretKey() })).json()) as { id: string; api: string };
    expect(first.api).toBe('anthropic');
    expect((await create(u, { name: 'b', provider: 'anthropic', key: secretKey() })).status).toBe(409);
    const newKey = secretKey();
    const patched = await api(`/api/gateway/provider-keys/${first.id}`, jsonRequest('PATCH', { key: newKey }, u.headers));
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { hint: string }).hint).toBe(`…${newKey.slice(-4)}`);
    for (const bad of [{ name: 'x', provider: 'openai' }, { name: 'x', provider: 'openai', key: 'short' }, { name: 'x', provider: 'openai', key: secretKey(), base_url: 'ftp://x' }, { name: 'x', provider: 'bad provider!', key: secretKey() }, { name: 'x', provider: 'openai', key: secretKey(), extra: 1 }]) {
      const res = await create(u, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect((await api('/api/gateway/provider-keys', { method: 'POST', headers: { ...u.headers, 'content-type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await api(`/api/gateway/provider-keys/${first.id}`, { method: 'DELETE', headers: u.headers })).status).toBe(204);
    expect((await api(`/api/gateway/provider-keys/${first.id}`, { method: 'DELETE', headers: u.headers })).status).toBe(404);
    expect((await api('/api/gateway/provider-keys/not-an-id', { headers: u.headers })).status).toBe(404);
  });

  it('the provider key never appears in a log line, even while calls use it', async () => {
    const u = await signUp();
    const logs: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' '))));
    try {
      // The fake upstream's key is the stored secret here: it must stay out of every log line.
      const res = await create(u, { name: 'openai', provider: 'openai', base_url: `${fakeUrl()}/v1`, key: fakeKey() });
      expect(res.status).toBe(201);
      const key = await createKey(u, ['gateway']);
      await chatOk(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: marker() }] });
      await chatOk(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: marker() }], stream: false });
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(fakeKey());
  });

  it('needs a signed-in user', async () => {
    expect((await api('/api/gateway/provider-keys')).status).toBe(401);
  });

  it('without GATEWAY_ENCRYPTION_KEY: 503 with a clear message on the key routes and the gateway', async () => {
    const app = buildApp();
    const unconfigured = { ...env, GATEWAY_ENCRYPTION_KEY: '' } as Env;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const keys = await app.fetch(new Request('http://api.test/api/gateway/provider-keys', jsonRequest('POST', { name: 'x', provider: 'openai', key: secretKey() }, t.headers)), unconfigured, ctx);
    expect(keys.status).toBe(503);
    const body = (await keys.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dependency_unavailable');
    expect(body.error.message).toContain('GATEWAY_ENCRYPTION_KEY');
    const v1 = await app.fetch(new Request('http://api.test/v1/chat/completions', jsonRequest('POST', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, t.headers)), unconfigured, ctx);
    expect(v1.status).toBe(503);
    expect(((await v1.json()) as { error: { code: string; type: string } }).error).toMatchObject({ code: 'gateway_not_configured', type: 'api_error' });
  });
});

describeTenancy([
  {
    name: 'provider keys',
    create: async (owner) => {
      const res = await create(owner, { name: 'tenancy', provider: 'openai', base_url: `${fakeUrl()}/v1`, key: fakeKey() });
      return ((await res.json()) as { id: string }).id;
    },
    probes: (id) => [
      { method: 'GET', path: `/api/gateway/provider-keys/${id}` },
      { method: 'PATCH', path: `/api/gateway/provider-keys/${id}`, body: { name: 'stolen' } },
      { method: 'DELETE', path: `/api/gateway/provider-keys/${id}` },
    ],
    lists: ['/api/gateway/provider-keys'],
  },
]);
