// The typed client: hono/client over AppType (the routers that declare their contract) drives the API in
// workerd; bodies and answers are typed from the same schemas the OpenAPI document is made of.
import { exports } from 'cloudflare:workers';
import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from '../../workers/app';
import { randomIp, uniqueEmail } from './tenancy';

const client = hc<AppType>('http://api.test', { fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)) });

describe('typed client', () => {
  it('signs up, manages keys and threads, reads the org', async () => {
    const email = uniqueEmail('typed');
    const password = 'typed client password';
    const reg = await client.api.auth.register.$post({ json: { email, password } }, { headers: { 'cf-connecting-ip': randomIp() } });
    expect(reg.status).toBe(201);
    if (reg.status !== 201) return;
    const signedIn = await reg.json();
    expect(signedIn.user.email).toBe(email);
    const headers = { authorization: `Bearer ${signedIn.access_token}` };

    const me = await client.api.auth.me.$get({}, { headers });
    expect(me.status).toBe(200);
    if (me.status === 200) expect((await me.json()).org.id).toBe(signedIn.org.id);

    const key = await client.api.keys.$post({ json: { name: 'typed', scopes: ['read'] } }, { headers });
    expect(key.status).toBe(201);
    if (key.status !== 201) return;
    const created = await key.json();
    expect(created.key).toMatch(/^nak_/);
    const keys = await client.api.keys.$get({ query: {} }, { headers });
    expect(keys.status).toBe(200);
    if (keys.status === 200) expect((await keys.json()).items.map((k) => k.id)).toContain(created.id);
    expect((await client.api.keys[':id'].$delete({ param: { id: created.id } }, { headers })).status).toBe(204);

    const thread = await client.api.threads.$post({ json: { title: 'typed thread' } }, { headers });
    expect(thread.status).toBe(201);
    if (thread.status !== 201) return;
    const { id } = await thread.json();
    const renamed = await client.api.threads[':id'].$patch({ param: { id }, json: { title: 'renamed' } }, { headers });
    expect(renamed.status).toBe(200);
    if (renamed.status === 200) expect((await renamed.json()).title).toBe('renamed');
    const switched = await client.api.threads[':id'].switch.$put({ param: { id } }, { headers });
    expect(switched.status).toBe(200);
    if (switched.status === 200) expect((await switched.json()).active_thread_id).toBe(id);
    const msgs = await client.api.threads[':id'].messages.$get({ param: { id }, query: {} }, { headers });
    expect(msgs.status).toBe(200);
    if (msgs.status === 200) expect((await msgs.json()).items).toEqual([]);
    expect((await client.api.threads[':id'].$delete({ param: { id } }, { headers })).status).toBe(204);
    expect((await client.api.threads[':id'].$get({ param: { id } }, { headers })).status).toBe(404);

    const current = await client.api.orgs.current.$get({}, { headers });
    expect(current.status).toBe(200);
    if (current.status === 200) expect((await current.json()).role).toBe('owner');
    const audit = await client.api.orgs.audit.$get({ query: {} }, { headers });
    expect(audit.status).toBe(200);
    if (audit.status === 200) expect((await audit.json()).items.map((a) => a.action)).toEqual(['api_key.revoked', 'api_key.created']);

    const refreshed = await client.api.auth.refresh.$post({ json: { refresh_token: signedIn.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect((await client.api.auth.logout.$post({}, { headers })).status).toBe(204);
  });

  it('reaches the routers mounted under shared prefixes and the read routes of the org', async () => {
    const live = await client.health.$get();
    expect(live.status).toBe(200);
    expect((await live.json()).status).toBe('ok');
    const limits = await client.api.metrics.tier[':tier'].limits.$get({ param: { tier: 'free' } });
    expect(limits.status).toBe(200);
    if (limits.status === 200) expect((await limits.json()).tier).toBe('free');
    expect((await client.api.metrics.tier[':tier'].limits.$get({ param: { tier: 'platinum' } })).status).toBe(404);

    const email = uniqueEmail('typed-read');
    const reg = await client.api.auth.register.$post({ json: { email, password: 'typed client password' } }, { headers: { 'cf-connecting-ip': randomIp() } });
    if (reg.status !== 201) throw new Error(`register answered ${reg.status}`);
    const headers = { authorization: `Bearer ${(await reg.json()).access_token}` };

    const note = await client.api.corpus.$post({ json: { title: 'typed note', content: 'cite me', tags: ['typed'] } }, { headers });
    expect(note.status).toBe(201);
    if (note.status !== 201) return;
    const { id } = await note.json();
    const patched = await client.api.corpus[':id'].$patch({ param: { id }, json: { title: 'renamed note' } }, { headers });
    expect(patched.status).toBe(200);
    if (patched.status === 200) expect((await patched.json()).title).toBe('renamed note');
    const listed = await client.api.corpus.$get({ query: { tag: 'typed' } }, { headers });
    if (listed.status === 200) expect((await listed.json()).items.map((d) => d.id)).toEqual([id]);
    expect((await client.api.corpus[':id'].$delete({ param: { id } }, { headers })).status).toBe(204);

    const summary = await client.api.analytics.summary.$get({ query: {} }, { headers });
    expect(summary.status).toBe(200);
    if (summary.status === 200) expect((await summary.json()).calls).toBe(0);
    const reports = await client.api.reports.$get({ query: {} }, { headers });
    if (reports.status === 200) expect((await reports.json()).items).toEqual([]);
    const prices = await client.api.prices.$get({ query: {} }, { headers });
    if (prices.status === 200) expect((await prices.json()).items).toEqual([]);
    const policies = await client.api.policies.$get({}, { headers });
    if (policies.status === 200) expect((await policies.json()).items).toEqual([]);
    const bad = await client.api.analytics.breakdown.$get({ query: { by: 'colour' as never } }, { headers });
    expect(bad.status).toBe(400);
  });
});
