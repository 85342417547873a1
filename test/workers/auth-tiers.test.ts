// Tiers: public limits, and the seeds' tier endpoints answering from the org's own records
// (Postgres users/keys/runs, ClickHouse llm_calls), or 403 `forbidden` below the required tier.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../db/clickhouse';
import { openDb } from '../../db/postgres';
import { runs, threads } from '../../db/schema';
import { MAX_CONCURRENT_RUNS, TIER_DEFINITIONS, TIERS, type Tier } from '../../engine/tiers';
import { newId } from '../../common/ids';
import { api, jsonRequest } from './helpers';
import { setTier, signUp, type Tenant } from './tenancy';

const get = (t: Tenant, path: string) => api(path, { headers: t.headers });
const post = (t: Tenant, path: string, body: unknown = {}) => api(path, jsonRequest('POST', body, t.headers));

async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

/** Two runs of the tenant's owner today: one running, one completed after 30 s. */
async function addRuns(t: Tenant): Promise<void> {
  const pg = openDb(env);
  try {
    const threadId = newId('thr');
    await pg.db.insert(threads).values({ id: threadId, org_id: t.org_id, user_id: t.user_id, title: 't' });
    const started = new Date(Date.now() - 60_000);
    await pg.db.insert(runs).values([
      { id: newId('run'), org_id: t.org_id, user_id: t.user_id, thread_id: threadId, status: 'running', request: 'why?' },
      { id: newId('run'), org_id: t.org_id, user_id: t.user_id, thread_id: threadId, status: 'completed', request: 'how?', created_at: started, completed_at: new Date(started.getTime() + 30_000) },
    ]);
  } finally {
    await pg.close();
  }
}

/** Three ingested calls of the org in ClickHouse (two on one model). */
async function addCalls(t: Tenant): Promise<void> {
  const ch = openClickHouse(env);
  const now = Date.now();
  const call = (i: number, model: string, cost: number) => ({
    org_id: t.org_id,
    request_id: `req-${t.org_id}-${i}`,
    timestamp: new Date(now - i * 1000).toISOString().replace('T', ' ').replace('Z', ''),
    provider: 'openai',
    model,
    input_tokens: 100,
    output_tokens: 10,
    cost_nanousd: cost,
  });
  try {
    await ch.insert({ table: 'llm_calls', values: [call(1, 'gpt-4o', 2_500_000), call(2, 'gpt-4o', 2_500_000), call(3, 'gpt-4o-mini', 1_000)], format: 'JSONEachRow' });
  } finally {
    await ch.close();
  }
}

/** The usage lines expected for `tier`: the counts the test made, next to the tier's limits. */
function expectedUsage(tier: Tier, used: { seats: number; api_keys: number; runs_today: number; calls: number }) {
  const l = TIER_DEFINITIONS[tier].limits;
  return [
    { limit: 'seats', used: used.seats, allowed: l.seats },
    { limit: 'api_keys', used: used.api_keys, allowed: l.api_keys },
    { limit: 'runs_per_day', used: used.runs_today, allowed: l.runs_per_day },
    { limit: 'ingested_calls_per_month', used: used.calls, allowed: l.ingested_calls_per_month },
  ];
}

describe('GET /api/metrics/tier/{tier}/limits (public)', () => {
  it.each(TIERS)('%s', async (tier) => {
    const body = await json<{ tier: string; limits: Record<string, number>; features: string[] }>(await api(`/api/metrics/tier/${tier}/limits`));
    expect(body.tier).toBe(tier);
    for (const k of ['runs_per_day', 'concurrent_runs', 'ingested_calls_per_month', 'retention_days', 'seats', 'api_keys', 'requests_per_minute']) {
      expect(body.limits[k]).toBeGreaterThan(0);
    }
    expect(body.limits.concurrent_runs).toBeLessThanOrEqual(MAX_CONCURRENT_RUNS);
    expect(body.features).toContain('chat_analysis');
  });

  it('limits grow with the tier, and an unknown tier is 404', async () => {
    const limits = await Promise.all(TIERS.map(async (t) => (await json<{ limits: Record<string, number> }>(await api(`/api/metrics/tier/${t}/limits`))).limits));
    for (let i = 1; i < limits.length; i++) {
      for (const [k, v] of Object.entries(limits[i]!)) expect(v, k).toBeGreaterThanOrEqual(limits[i - 1]![k]!);
    }
    const res = await api('/api/metrics/tier/platinum/limits');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', details: { tiers: [...TIERS] } } });
  });
});

describe('tier endpoints', () => {
  it('need authentication', async () => {
    for (const path of ['/api/free/demo', '/api/tier/usage', '/api/enterprise/sla-compliance']) expect((await api(path)).status).toBe(401);
  });

  it('free: usage against the tier limits is visible (the reason to upgrade), counted from the records', async () => {
    const t = await signUp();
    const empty = await json<{ tier: string; usage: unknown[] }>(await get(t, '/api/tier/usage'));
    expect(empty.tier).toBe('free');
    expect(empty.usage).toEqual(expectedUsage('free', { seats: 1, api_keys: 0, runs_today: 0, calls: 0 }));
    expect((await post(t, '/api/keys', { name: 'k', scopes: ['ingest'] })).status).toBe(201);
    await addRuns(t);
    await addCalls(t);
    const usage = await json<{ usage: unknown[]; runs: Record<string, number>; limits: Record<string, number> }>(await get(t, '/api/tier/usage'));
    expect(usage.usage).toEqual(expectedUsage('free', { seats: 1, api_keys: 1, runs_today: 2, calls: 3 }));
    expect(usage.runs).toMatchObject({ runs_today: 2, runs_remaining_today: 18, runs_in_flight: 1, concurrent_runs_per_user: 2 });
    expect(usage.limits).toMatchObject({ runs_per_day: 20, seats: 3, api_keys: 2 });
  });

  it('free: free endpoints answer, early/mid and enterprise endpoints are 403', async () => {
    const t = await signUp();
    const demo = await json<{ tier: string; features: string[]; locked_features: string[]; has_telemetry: boolean }>(await get(t, '/api/free/demo'));
    expect(demo).toMatchObject({ tier: 'free', has_telemetry: false });
    expect(demo.locked_features).toContain('sla_compliance');
    const sample = await json(await post(t, '/api/free/sample-analysis', { days: 7 }));
    expect(sample).toEqual({ window_days: 7, calls: 0, models: [], has_telemetry: false });
    expect(await json(await get(t, '/api/free/conversion-triggers'))).toEqual({ tier: 'free', recommended_tier: null, triggers: [] });
    for (const [method, path] of [
      ['POST', '/api/tier/optimize'],
      ['GET', '/api/tier/savings-report'],
      ['GET', '/api/enterprise/custom-integrations'],
      ['POST', '/api/enterprise/bulk-optimization'],
      ['GET', '/api/enterprise/sla-compliance'],
      ['GET', '/api/enterprise/dedicated-support'],
    ] as const) {
      const res = method === 'GET' ? await get(t, path) : await post(t, path, { runs: 1 });
      expect(res.status, path).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden', details: { tier: 'free' } } });
    }
  });

  it('free: hitting the key limit raises a conversion trigger towards early', async () => {
    const t = await signUp();
    for (const name of ['a', 'b']) expect((await post(t, '/api/keys', { name, scopes: ['read'] })).status).toBe(201);
    const body = await json<{ recommended_tier: string; triggers: Array<Record<string, unknown>> }>(await get(t, '/api/free/conversion-triggers'));
    expect(body.recommended_tier).toBe('early');
    expect(body.triggers).toEqual([{ limit: 'api_keys', used: 2, allowed: 2, ratio: 1 }]);
  });

  it('free: the sample analysis reads the org’s own calls from ClickHouse', async () => {
    const t = await signUp();
    await addCalls(t);
    const body = await json<{ calls: number; models: Array<{ model: string; calls: number; cost_usd: number }> }>(
      await post(t, '/api/free/sample-analysis', {}),
    );
    expect(body.calls).toBe(3);
    expect(body.models).toEqual([
      { model: 'gpt-4o', calls: 2, cost_usd: 0.005 },
      { model: 'gpt-4o-mini', calls: 1, cost_usd: 0.000001 },
    ]);
    for (const bad of [{ days: 0 }, { days: 31 }, { days: 'x' }, { limit: 1 }]) expect((await post(t, '/api/free/sample-analysis', bad)).status).toBe(400);
  });

  it('early: usage vs limits from the records; optimize and savings report answer; enterprise is 403', async () => {
    const t = await setTier(await signUp(), 'early');
    expect((await post(t, '/api/keys', { name: 'k', scopes: ['ingest'] })).status).toBe(201);
    await addRuns(t);
    await addCalls(t);
    const usage = await json<{ tier: string; usage: Array<{ limit: string; used: number; allowed: number }>; runs: Record<string, number> }>(
      await get(t, '/api/tier/usage'),
    );
    expect(usage.tier).toBe('early');
    expect(usage.usage).toEqual(expectedUsage('early', { seats: 1, api_keys: 1, runs_today: 2, calls: 3 }));
    expect(usage.runs).toMatchObject({ runs_today: 2, runs_remaining_today: 198, runs_in_flight: 1, concurrent_runs_per_user: 3 });
    expect((await post(t, '/api/tier/optimize', { goal: 'vibes' })).status).toBe(400);
    expect(await json(await get(t, '/api/tier/savings-report'))).toMatchObject({ completed_runs: 1, realized_savings_usd: 0 });
    expect((await get(t, '/api/enterprise/dedicated-support')).status).toBe(403);

    // optimize starts a real run for the goal, in a new thread of the user, counted in the budget.
    const run = await json<{ run_id: string; thread_id: string; runs_today: number }>(await post(t, '/api/tier/optimize', { goal: 'latency' }), 202);
    expect(run).toMatchObject({ tier: 'early', goal: 'latency', question: 'How can we cut latency?', runs_today: 3, runs_remaining_today: 197 });
    await expect.poll(async () => ((await (await get(t, `/api/agent/status/${run.run_id}`)).json()) as { status?: string }).status, { timeout: 60_000, interval: 300 }).toBe('completed');
    const thread = await json<{ id: string; title: string }>(await get(t, `/api/threads/${run.thread_id}`));
    expect(thread.title).toBe('Optimization: latency');
    const messages = await json<{ items: Array<{ role: string; content: string }> }>(await get(t, `/api/threads/${run.thread_id}/messages`));
    expect(messages.items.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages.items[0]!.content).toBe('How can we cut latency?');
    // Runs belong to a person: an API key cannot start one.
    const key = await json<{ key: string }>(await post(t, '/api/keys', { name: 'reader', scopes: ['read'] }), 201);
    expect((await api('/api/tier/optimize', jsonRequest('POST', { goal: 'cost' }, { authorization: `Bearer ${key.key}` }))).status).toBe(401);
  }, 90_000);

  it('enterprise: integrations, bulk optimization, SLA compliance and support from the org’s records', async () => {
    const t = await setTier(await signUp({ name: 'Ent Owner' }), 'enterprise');
    expect((await post(t, '/api/keys', { name: 'k1', scopes: ['ingest', 'read'] })).status).toBe(201);
    expect((await post(t, '/api/keys', { name: 'k2', scopes: ['gateway'] })).status).toBe(201);
    await addRuns(t);
    const integrations = await json<{ api_keys_by_scope: Record<string, number> }>(await get(t, '/api/enterprise/custom-integrations'));
    expect(integrations.api_keys_by_scope).toEqual({ gateway: 1, ingest: 1, read: 1 });
    expect((await post(t, '/api/enterprise/bulk-optimization', { runs: 50, extra: true })).status).toBe(400);
    const sla = await json<Record<string, unknown>>(await get(t, '/api/enterprise/sla-compliance'));
    expect(sla).toMatchObject({ runs: 2, completed: 1, failed: 0, success_rate: 1, p95_run_seconds: 30 });
    const support = await json<{ org_contacts: Array<{ email: string; name: string }> }>(await get(t, '/api/enterprise/dedicated-support'));
    expect(support.org_contacts).toEqual([{ id: t.user_id, email: t.email, name: 'Ent Owner' }]);
    expect((await get(t, '/api/tier/usage')).status).toBe(200);

    // Bulk starts real runs, one thread each, until the user's concurrent runs are all in flight.
    const bulk = await json<{ started: Array<{ run_id: string; thread_id: string }>; refused: { code: string } | null; runs_today: number }>(
      await post(t, '/api/enterprise/bulk-optimization', { runs: 12 }),
      202,
    );
    expect(bulk).toMatchObject({ runs_requested: 12, runs_available: 12, goal: 'cost', question: 'Where can we cut costs?' });
    // Runs may finish while later ones start, so at least the concurrency limit starts, and fewer than asked.
    expect(bulk.started.length).toBeGreaterThanOrEqual(MAX_CONCURRENT_RUNS);
    expect(bulk.started.length).toBeLessThan(12);
    expect(bulk.refused).toMatchObject({ code: 'concurrency_limit' });
    expect(bulk.runs_today).toBe(2 + bulk.started.length);
    expect(new Set(bulk.started.map((r) => r.thread_id)).size).toBe(bulk.started.length);
    for (const r of bulk.started) {
      await expect.poll(async () => ((await (await get(t, `/api/agent/status/${r.run_id}`)).json()) as { status?: string }).status, { timeout: 60_000, interval: 500 }).toBe('completed');
    }
    // The refused run left no empty thread behind.
    const listed = await json<{ items: Array<{ id: string; title: string }> }>(await get(t, '/api/threads?limit=100'));
    expect(listed.items.filter((x) => x.title.startsWith('Optimization: cost')).map((x) => x.id).sort()).toEqual(bulk.started.map((r) => r.thread_id).sort());
  }, 120_000);

  it('an API key with the read scope may call tier endpoints; without it, 403', async () => {
    const t = await signUp();
    const key = (await (await post(t, '/api/keys', { name: 'r', scopes: ['read'] })).json()) as { key: string };
    const gw = (await (await post(t, '/api/keys', { name: 'g', scopes: ['gateway'] })).json()) as { key: string };
    expect((await api('/api/free/demo', { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(200);
    expect((await api('/api/free/demo', { headers: { authorization: `Bearer ${gw.key}` } })).status).toBe(403);
  });
});
