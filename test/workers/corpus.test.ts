import { describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';
import { createKey } from './ingest-support';
import { bearer, signUp } from './tenancy';

describe('knowledge corpus', () => {
  it('creates, lists (by tag), reads, updates and deletes notes; read keys can read, not write', async () => {
    const t = await signUp();
    const a = await api('/api/corpus', jsonRequest('POST', { title: 'Quality floor', content: 'classify must stay above 95% accuracy', tags: ['classify'] }, t.headers));
    expect(a.status).toBe(201);
    const doc = (await a.json()) as { id: string; tags: string[] };
    await api('/api/corpus', jsonRequest('POST', { title: 'Other', content: 'unrelated' }, t.headers));

    const tagged = (await (await api('/api/corpus?tag=classify', { headers: t.headers })).json()) as { items: { id: string }[] };
    expect(tagged.items.map((d) => d.id)).toEqual([doc.id]);

    const patched = await api(`/api/corpus/${doc.id}`, jsonRequest('PATCH', { content: 'above 97%' }, t.headers));
    expect(((await patched.json()) as { content: string }).content).toBe('above 97%');

    const key = await createKey(t, ['read']);
    expect((await api(`/api/corpus/${doc.id}`, { headers: bearer(key) })).status).toBe(200);
    expect((await api('/api/corpus', jsonRequest('POST', { title: 'x', content: 'y' }, bearer(key)))).status).toBe(401);

    expect((await api(`/api/corpus/${doc.id}`, { method: 'DELETE', headers: t.headers })).status).toBe(204);
    expect((await api(`/api/corpus/${doc.id}`, { headers: t.headers })).status).toBe(404);
  });

  it('bad input → 400', async () => {
    const t = await signUp();
    for (const body of [{ title: '', content: 'x' }, { title: 'x' }, { title: 'x', content: 'y', owner: 'z' }, { title: 'x', content: 'y', tags: 'nope' }]) {
      const res = await api('/api/corpus', jsonRequest('POST', body, t.headers));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const made = (await (await api('/api/corpus', jsonRequest('POST', { title: 'x', content: 'y' }, t.headers))).json()) as { id: string };
    expect((await api(`/api/corpus/${made.id}`, jsonRequest('PATCH', {}, t.headers))).status).toBe(400);
    expect((await api('/api/corpus/doc_nope', { headers: t.headers })).status).toBe(404);
  });
});

describe('synthetic data generation', () => {
  it('rejects bad parameters with 400', async () => {
    const t = await signUp();
    for (const body of [{ calls: 10 }, { days: 1 }, { days: 500 }, { plants: ['nope'] }, { start: '2026-02-31' }, { seed: -1 }, { surprise: 1 }]) {
      const res = await api('/api/generation/start', jsonRequest('POST', body, t.headers));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});
