import { describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';
import { describeTenancy, signUp, type Tenant } from './tenancy';

async function createThread(t: Tenant, title?: string): Promise<{ id: string; title: string }> {
  const res = await api('/api/threads', jsonRequest('POST', title ? { title } : {}, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; title: string };
}

describe('threads REST', () => {
  it('creates, lists newest first with pagination, reads, renames and deletes', async () => {
    const t = await signUp();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createThread(t, `thread ${i}`));
    expect(made[0]!.id).toMatch(/^thr_[0-9a-f]{32}$/);

    const page1 = (await (await api('/api/threads?limit=3', { headers: t.headers })).json()) as { items: { id: string }[]; next_cursor: string | null };
    expect(page1.items.map((i) => i.id)).toEqual([made[4]!.id, made[3]!.id, made[2]!.id]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = (await (await api(`/api/threads?limit=3&cursor=${page1.next_cursor}`, { headers: t.headers })).json()) as { items: { id: string }[]; next_cursor: string | null };
    expect(page2.items.map((i) => i.id)).toEqual([made[1]!.id, made[0]!.id]);
    expect(page2.next_cursor).toBeNull();

    const renamed = await api(`/api/threads/${made[0]!.id}`, jsonRequest('PATCH', { title: 'Why did our bill double?' }, t.headers));
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { title: string }).title).toBe('Why did our bill double?');

    const switched = await api(`/api/threads/${made[1]!.id}/switch`, { method: 'PUT', headers: t.headers });
    expect(await switched.json()).toEqual({ active_thread_id: made[1]!.id });

    expect((await api(`/api/threads/${made[0]!.id}`, { method: 'DELETE', headers: t.headers })).status).toBe(204);
    expect((await api(`/api/threads/${made[0]!.id}`, { headers: t.headers })).status).toBe(404);
    const after = (await (await api('/api/threads?limit=100', { headers: t.headers })).json()) as { items: { id: string }[] };
    expect(after.items.map((i) => i.id)).not.toContain(made[0]!.id);
  });

  it('a new thread has an empty message list', async () => {
    const t = await signUp();
    const thread = await createThread(t);
    const res = await api(`/api/threads/${thread.id}/messages`, { headers: t.headers });
    expect(await res.json()).toEqual({ items: [], next_cursor: null });
  });

  it('bad input: unknown fields, empty title, malformed JSON, bad cursor, bad limit → 400', async () => {
    const t = await signUp();
    const thread = await createThread(t);
    const cases: [string, RequestInit][] = [
      ['/api/threads', jsonRequest('POST', { title: 'x', owner: 'someone' }, t.headers)],
      ['/api/threads', jsonRequest('POST', '{"title": ', t.headers)],
      [`/api/threads/${thread.id}`, jsonRequest('PATCH', { title: '   ' }, t.headers)],
      ['/api/threads?cursor=not-a-cursor', { headers: t.headers }],
      ['/api/threads?limit=0', { headers: t.headers }],
      ['/api/threads?limit=abc', { headers: t.headers }],
    ];
    for (const [path, init] of cases) {
      const res = await api(path, init);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^invalid_(request|json)$/);
    }
  });

  it('requires a signed-in user (API keys and anonymous callers are refused)', async () => {
    expect((await api('/api/threads')).status).toBe(401);
    expect((await api('/api/threads', { headers: { authorization: 'Bearer nak_fake' } })).status).toBe(401);
  });
});

describeTenancy([
  {
    name: 'threads',
    create: async (owner) => (await createThread(owner)).id,
    probes: (id) => [
      { method: 'GET', path: `/api/threads/${id}` },
      { method: 'PATCH', path: `/api/threads/${id}`, body: { title: 'stolen' } },
      { method: 'PUT', path: `/api/threads/${id}/switch` },
      { method: 'GET', path: `/api/threads/${id}/messages` },
      { method: 'DELETE', path: `/api/threads/${id}` },
      { method: 'POST', path: '/api/ws/ticket', body: { thread_id: id } },
    ],
    lists: ['/api/threads'],
  },
]);
