// A second question over the same data reads the workload profile stored under the org's fingerprint
// (db/profile-cache.ts) instead of recomputing it; a new call changes the fingerprint, and the next answer is
// computed again and counts it; so does a recompute that rewrites the stored costs in place.
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../protocol/messages';
import { ask, newThread } from './agent-support';
import { api, jsonRequest } from './helpers';
import { createKey, drain, postCalls } from './ingest-support';
import { signUp } from './tenancy';

const profileResults = (events: ServerEvent[]) =>
  events.flatMap((e) => (e.type === 'tool_result' && e.data.tool === 'workload_profile' ? [e.data.output as { calls: number; cached: boolean }] : []));
const answerOf = (e: ServerEvent) => (e.type === 'agent_completed' ? (e.data.answer ?? '') : '');

const call = (i: number, at: number) => ({ request_id: `cache-${i}`, timestamp: new Date(at).toISOString(), model: 'gpt-4o-mini', provider: 'openai', input_tokens: 800 + i, output_tokens: 90 + i, latency_ms: 400 + i, feature: 'chat' });

describe('the workload profile is reused while the calls are unchanged', () => {
  it('same data: the stored profile and the same answer; one more call: computed again, and counted', async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest']);
    const start = Date.now() - 3 * 3_600_000;
    const first = Array.from({ length: 40 }, (_, i) => call(i, start + i * 60_000));
    expect((await postCalls(key, JSON.stringify(first))).status).toBe(202);
    await drain(t.org_id);

    const thread = await newThread(t);
    const a = await ask(t, thread, 'Where does our money go?');
    const b = await ask(t, thread, 'Where does our money go?');
    expect(profileResults(a.events)).toEqual([expect.objectContaining({ calls: 40, cached: false })]);
    expect(profileResults(b.events)).toEqual([expect.objectContaining({ calls: 40, cached: true })]);
    expect(answerOf(b.completed)).toBe(answerOf(a.completed));
    // Another thread of the org reads it too.
    const other = await ask(t, await newThread(t), 'Where does our money go?');
    expect(profileResults(other.events)).toEqual([expect.objectContaining({ cached: true })]);

    // Costs rewritten in place by a recompute (same count, same ingestion times): the profile is computed again.
    const rule = await api('/api/prices', jsonRequest('POST', { provider: 'openai', model: 'gpt-4o-mini', discount: 0.5, effective_from: new Date(start - 3_600_000).toISOString() }, t.headers));
    expect(rule.status, await rule.clone().text()).toBe(201);
    const recompute = await api('/api/prices/recompute', jsonRequest('POST', { from: new Date(start - 3_600_000).toISOString(), to: new Date(Date.now()).toISOString() }, t.headers));
    expect(recompute.status, await recompute.clone().text()).toBe(200);
    const repriced = await ask(t, thread, 'Where does our money go?');
    expect(profileResults(repriced.events)).toEqual([expect.objectContaining({ calls: 40, cached: false })]);
    expect(answerOf(repriced.completed)).not.toBe(answerOf(a.completed));
    repriced.s.close();

    expect((await postCalls(key, JSON.stringify([call(40, start + 40 * 60_000)]))).status).toBe(202);
    await drain(t.org_id);
    const c = await ask(t, thread, 'Where does our money go?');
    expect(profileResults(c.events)).toEqual([expect.objectContaining({ calls: 41, cached: false })]);
    expect(answerOf(c.completed)).toContain('on 41 calls');
    for (const x of [a, b, other, c]) x.s.close();
  });
});
